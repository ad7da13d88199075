; Inno Setup 6 script: installs the PyInstaller bundle (dist\ektp-station) on a counter PC.
; Build on Windows, after the bundle (docs/packaging.md):
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\ektp-station.iss
; The result is dist\ektp-station-<version>-setup.exe.
;
; The station's data (queue.sqlite3, config.json, token, logs, receipts) lives per user in
; %LOCALAPPDATA%\ektp-station (platformdirs), never under {app}: installing, upgrading and
; uninstalling leave it alone. Nothing in this script may name that folder for deletion.

#define AppName "ektp-station"
#define AppTitle "Perekaman e-KTP"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\ektp-station"
#define MainExe "ektp-station.exe"
#ifndef AppVersion
  ; the version PyInstaller wrote into the executable (src/ektp_station/__init__.py)
  #define AppVersion GetStringFileInfo(BundleDir + "\" + MainExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error "Build the bundle first (dist\ektp-station\ektp-station.exe) or pass /DAppVersion=..."
#endif

[Setup]
; Never change AppId: it is how an upgrade finds the installed station.
AppId={{6B0F4C2E-8E1D-4B8A-9C57-3E2A9D1F7A41}
AppName={#AppName}
AppVerName={#AppTitle} {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=ektp-station
; Program Files for all users when installed as administrator, else
; %LOCALAPPDATA%\Programs\ektp-station: both away from the data in %LOCALAPPDATA%\ektp-station.
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppTitle}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\ektp-station.ico
UninstallDisplayIcon={app}\{#MainExe}
UninstallDisplayName={#AppTitle} ({#AppName})
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Upgrades: close a running station first (its queue is safe: every save is committed).
CloseApplications=yes
RestartApplications=no
UsePreviousAppDir=yes

[Languages]
; Indonesian is an unofficial Inno Setup translation: used when copied into the compiler's
; Languages folder (jrsoftware.org/files/istrans), else the wizard is in English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\Indonesian.isl")
Name: "id"; MessagesFile: "compiler:Languages\Indonesian.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the previous bundle's libraries as a whole (no stale DLLs of an older
; Qt or Python). Only the program folder: the data folder is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppTitle}"; Filename: "{app}\{#MainExe}"; WorkingDir: "{app}"; Comment: "Stasiun perekaman e-KTP"
Name: "{group}\{cm:UninstallProgram,{#AppTitle}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppTitle}"; Filename: "{app}\{#MainExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#MainExe}"; Description: "{cm:LaunchProgram,{#AppTitle}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes exactly what it installed. The data folder
; %LOCALAPPDATA%\ektp-station (queue, settings, logs, receipts) stays for a reinstall or for
; handing the unsent entries over; delete it by hand only after `queue status` shows nothing
; unsent.

[Code]
// Refuse an install folder inside the data folder: an upgrade's [InstallDelete] or the
// uninstaller would then touch the station's data.
function NextButtonClick(CurPageID: Integer): Boolean;
var
  DataDir, AppDir: String;
begin
  Result := True;
  if CurPageID = wpSelectDir then
  begin
    DataDir := Lowercase(AddBackslash(ExpandConstant('{localappdata}\{#AppName}')));
    AppDir := Lowercase(AddBackslash(WizardDirValue));
    if (Pos(DataDir, AppDir) = 1) or (Pos(AppDir, DataDir) = 1) then
    begin
      MsgBox('Folder ini menyimpan atau memuat data stasiun (' + DataDir + '). Pilih folder lain.',
        mbError, MB_OK);
      Result := False;
    end;
  end;
end;
