; ZorgCert's Windows installer (NSIS 3, built on Linux by scripts/build-windows with Debian's makensis).
;
; A per-user install without administrator rights into %LOCALAPPDATA%\Programs\ZorgCert: the one-folder
; app (zorgcert.exe for the command line, zorgcertw.exe without a console), a Start-menu entry, optionally
; the tray agent at login (HKCU\...\Run value "ZorgCert agent", written the way the app's own setting
; writes it: app/desk/autostart.py, so both agree) and a desktop icon. In Dutch or English.
; Installing over an older version replaces the program and keeps the user's choices; settings, the
; wallet, the certificates (Windows' certificate store) and backups live elsewhere and are never touched.
; The uninstaller stops the agent, removes what this installer added and says what it leaves.
;
; makensis -DVERSION=0.1.0 -DAPPDIR=<PyInstaller's dist/zorgcert> -DOUTFILE=<setup.exe> [-DSIGN=<script>]

Unicode true
Target amd64-unicode          ; 64-bit stub (a 32-bit installer does not even start under a 64-bit-only Wine)
ManifestSupportedOS all
ManifestDPIAware true
RequestExecutionLevel user    ; per user: no UAC prompt, nothing outside the user's profile
SetCompressor /SOLID lzma
SetCompressorDictSize 32

!ifndef VERSION | APPDIR | OUTFILE
  !error "give -DVERSION=, -DAPPDIR= and -DOUTFILE= (scripts/build-windows does)"
!endif

!define APPNAME "ZorgCert"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUNVALUE "ZorgCert agent"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ZorgCert"
!define SETTINGSKEY "Software\ZorgCert\Installer"

!ifdef SIGN  ; sign the installer and the uninstaller it carries (packaging/windows/sign)
  !finalize '"${SIGN}" "%1"' = 0
  !uninstfinalize '"${SIGN}" "%1"' = 0
!endif

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${SETTINGSKEY}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APPNAME} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${APPNAME}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${APPNAME}"

!include MUI2.nsh
!include LogicLib.nsh
!include Sections.nsh

!define MUI_ICON "zorgcert.ico"
!define MUI_UNICON "zorgcert.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "${SETTINGSKEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "Language"
!define MUI_COMPONENTSPAGE_SMALLDESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\zorgcertw.exe"
!define MUI_FINISHPAGE_RUN_PARAMETERS "gui"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$(KeptText)"
!insertmacro MUI_UNPAGE_FINISH

!insertmacro MUI_LANGUAGE "Dutch"    ; first: the default where Windows speaks neither
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

Var upgrade  ; 1 when an earlier install is found: its choices are the defaults

LangString SecAutostartName ${LANG_DUTCH} "Starten bij aanmelden"
LangString SecAutostartName ${LANG_ENGLISH} "Start at sign-in"
LangString SecAutostartDesc ${LANG_DUTCH} "ZorgCert in het systeemvak: herinnert u op tijd aan het verlengen van uw certificaat."
LangString SecAutostartDesc ${LANG_ENGLISH} "ZorgCert in the notification area: reminds you in time to renew your certificate."
LangString SecDesktopName ${LANG_DUTCH} "Snelkoppeling op het bureaublad"
LangString SecDesktopName ${LANG_ENGLISH} "Desktop shortcut"
LangString SecDesktopDesc ${LANG_DUTCH} "Een pictogram voor ZorgCert op het bureaublad."
LangString SecDesktopDesc ${LANG_ENGLISH} "A ZorgCert icon on the desktop."
LangString KeptText ${LANG_DUTCH} "ZorgCert is verwijderd.$\r$\n$\r$\nUw certificaten (in het certificaatarchief \
van Windows), uw instellingen en uw back-ups zijn blijven staan. Verwijder een certificaat alleen als u het niet \
meer nodig hebt; een back-up bewaart u op een veilige plek."
LangString KeptText ${LANG_ENGLISH} "ZorgCert has been removed.$\r$\n$\r$\nYour certificates (in Windows' \
certificate store), your settings and your backups are still there. Remove a certificate only when you no longer \
need it; keep a backup somewhere safe."
LangString KeptDetail ${LANG_DUTCH} "Certificaten, instellingen en back-ups blijven staan."
LangString KeptDetail ${LANG_ENGLISH} "Certificates, settings and backups are kept."

; a running ZorgCert (the tray agent, the app, a command) holds its files: stop it first
!macro StopZorgCert
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM zorgcertw.exe'
  Pop $0
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM zorgcert.exe'
  Pop $0
  Sleep 500
!macroend

Section "-${APPNAME}" SecMain
  SectionIn RO
  SetShellVarContext current
  !insertmacro StopZorgCert
  ${If} $upgrade == 1  ; the old program's files go first, so nothing of it lingers beside the new one
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\zorgcert.exe"
    Delete "$INSTDIR\zorgcertw.exe"
  ${EndIf}
  SetOutPath "$INSTDIR"
  File /r "${APPDIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\zorgcertw.exe" "gui" "$INSTDIR\zorgcertw.exe" 0
  WriteRegStr HKCU "${SETTINGSKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${SETTINGSKEY}" "Version" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\zorgcertw.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "$(SecAutostartName)" SecAutostart
  Call RunCommand
  WriteRegStr HKCU "${RUNKEY}" "${RUNVALUE}" "$0"
SectionEnd

Section /o "$(SecDesktopName)" SecDesktop
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\zorgcertw.exe" "gui" "$INSTDIR\zorgcertw.exe" 0
SectionEnd

Section "-choices"  ; what was left unticked on an upgrade goes
  ${IfNot} ${SectionIsSelected} ${SecAutostart}
    DeleteRegValue HKCU "${RUNKEY}" "${RUNVALUE}"
  ${EndIf}
  ${IfNot} ${SectionIsSelected} ${SecDesktop}
    Delete "$DESKTOP\${APPNAME}.lnk"
  ${EndIf}
SectionEnd

Function .onInit
  SetShellVarContext current
  ReadRegStr $0 HKCU "${SETTINGSKEY}" "InstallDir"
  ${If} $0 != ""
  ${AndIf} ${FileExists} "$0\zorgcertw.exe"
    StrCpy $upgrade 1
    ; keep the earlier choices: autostart on only if the Run value is there (the app may have changed it)
    ReadRegStr $1 HKCU "${RUNKEY}" "${RUNVALUE}"
    ${If} $1 == ""
      !insertmacro UnselectSection ${SecAutostart}
    ${EndIf}
    ${If} ${FileExists} "$DESKTOP\${APPNAME}.lnk"
      !insertmacro SelectSection ${SecDesktop}
    ${EndIf}
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY  ; asks only when run with pages, and remembers the answer
FunctionEnd

Function un.onInit
  SetShellVarContext current
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd


; the Run value's data as the app writes it: subprocess.list2cmdline([exe, "agent"]) quotes the path only
; when it has a space or a tab
Function RunCommand
  StrCpy $0 "$INSTDIR\zorgcertw.exe"
  StrCpy $1 0
  ${Do}
    StrCpy $2 $0 1 $1
    ${IfThen} $2 == "" ${|} ${ExitDo} ${|}
    ${If} $2 == " "
    ${OrIf} $2 == "$\t"
      StrCpy $0 '"$0"'
      ${ExitDo}
    ${EndIf}
    IntOp $1 $1 + 1
  ${Loop}
  StrCpy $0 "$0 agent"
FunctionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecAutostart} "$(SecAutostartDesc)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "$(SecDesktopDesc)"
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  SetShellVarContext current
  !insertmacro StopZorgCert
  DeleteRegValue HKCU "${RUNKEY}" "${RUNVALUE}"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  ; only the program's own files: the folder may have been chosen by hand and hold other things
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\zorgcert.exe"
  Delete "$INSTDIR\zorgcertw.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "${SETTINGSKEY}"
  DeleteRegKey /ifempty HKCU "Software\ZorgCert"
  DetailPrint "$(KeptDetail)"
SectionEnd
