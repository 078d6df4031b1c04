/* Test scaffolding for Wine 8, never shipped: an mscms.dll whose colour-profile calls report "no
 * profile". Qt 6.12's qwindows.dll asks for the screen's profile through WcsCreateIccProfile, which Wine 8
 * only stubs (the call aborts the program); with no profile Qt paints in sRGB, as on a Windows without
 * colour management. Built by scripts/build-windows into the Wine prefixes of the build and of
 * tests/packaging/test_windows_installer.py (loaded instead of Wine's own: WINEDLLOVERRIDES mscms=n). */
#include <windows.h>

#define EXPORT __declspec(dllexport)

EXPORT HANDLE WINAPI OpenColorProfileW(void *profile, DWORD access, DWORD share, DWORD creation)
{ (void)profile; (void)access; (void)share; (void)creation; SetLastError(ERROR_FILE_NOT_FOUND); return NULL; }
EXPORT HANDLE WINAPI OpenColorProfileA(void *profile, DWORD access, DWORD share, DWORD creation)
{ (void)profile; (void)access; (void)share; (void)creation; SetLastError(ERROR_FILE_NOT_FOUND); return NULL; }
EXPORT BOOL WINAPI CloseColorProfile(HANDLE profile) { (void)profile; return TRUE; }
EXPORT BOOL WINAPI GetColorProfileFromHandle(HANDLE profile, BYTE *buffer, DWORD *size)
{ (void)profile; (void)buffer; if (size) *size = 0; SetLastError(ERROR_INVALID_HANDLE); return FALSE; }
EXPORT HANDLE WINAPI WcsCreateIccProfile(HANDLE profile, DWORD options)
{ (void)profile; (void)options; SetLastError(ERROR_NOT_SUPPORTED); return NULL; }
