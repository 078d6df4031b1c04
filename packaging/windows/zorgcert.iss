; Inno Setup script for ZorgCert on Windows. NOT BUILT HERE: this repository's machines run Linux;
; the recipe is written against Inno Setup 6 and has not been compiled or run on Windows yet.
;
; Steps on a Windows build machine (Python 3.11 x64, Inno Setup 6):
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e .[issuer] pyinstaller
;   magick resources\icons\zorgcert.svg -define icon:auto-resize=256,64,48,32,16 packaging\windows\zorgcert.ico
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\zorgcert.spec
;   iscc packaging\windows\zorgcert.iss        -> dist\zorgcert-setup.exe
;
; What it does: a per-user install without administrator rights (PrivilegesRequired=lowest) into
; %LOCALAPPDATA%\Programs\ZorgCert, a start-menu entry for the app (zorgcertw.exe gui: no console
; window), and the tray agent at login through HKCU\...\Run value "ZorgCert agent" - the same value
; the app's settings switch on and off (app/desk/autostart.py), so both agree. Uninstalling removes the
; program and the Run value; certificates, the wallet and backups stay with the user.

#define AppName "ZorgCert"
#define AppVersion "0.1.0"
#define RunValue "ZorgCert agent"

[Setup]
AppId={{6C1F3C0E-8D0B-4C9B-9B3E-5A2F0D7E4B21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=ZorgCert
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=zorgcert-setup
SetupIconFile=zorgcert.ico
UninstallDisplayIcon={app}\zorgcertw.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "nl"; MessagesFile: "compiler:Languages\Dutch.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "autostart"; Description: "{cm:AutoStartProgram,{#AppName}}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; the PyInstaller folder: zorgcert.exe (console, for the command line) and zorgcertw.exe (no console)
Source: "..\..\dist\zorgcert\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\zorgcertw.exe"; Parameters: "gui"; IconFilename: "{app}\zorgcertw.exe"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\zorgcertw.exe"; Parameters: "gui"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#RunValue}"; ValueData: """{app}\zorgcertw.exe"" agent"; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "{app}\zorgcertw.exe"; Parameters: "agent"; Flags: nowait postinstall skipifsilent; Tasks: autostart; Description: "{cm:LaunchProgram,{#AppName}}"

[UninstallRun]
; stop a running tray agent so its files can be removed (it holds no lock that matters)
Filename: "{sys}\taskkill.exe"; Parameters: "/F /IM zorgcertw.exe"; Flags: runhidden; RunOnceId: "StopAgent"

[UninstallDelete]
Type: filesandordirs; Name: "{app}"
