/* Test scaffolding for Wine 8, never shipped: bcryptprimitives.dll with the one function Rust's standard
 * library (>= 1.78, so cryptography >= 43) imports, ProcessPrng, answered by advapi32's RtlGenRandom
 * (SystemFunction036), the generator Windows itself had before ProcessPrng. Built by scripts/build-windows
 * into the Wine prefixes of the build and of tests/packaging/test_windows_installer.py. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
