; The Windows 10/11 64-bit installer of the kiosk (NSIS 3, Unicode).
; UNTESTED ON WINDOWS: CI compiles it with Debian's makensis against the Linux build's file list,
; as a syntax and packaging check only (README, "Windows: never run").
;
; makensis -DDIST=DIR -DLISTS=DIR -DVERSION=X.Y.Z -DOUTFILE=FILE [-DCHECK] kiosk.nsi
;   DIST   the PyInstaller one-folder build (dist/kiosk)
;   LISTS  the folder of install-files.nsh and uninstall-files.nsh (installer/windows/file_list.py)
;   CHECK  no compression: CI only checks that everything compiles and is found

Unicode true
!include "MUI2.nsh"
!include "x64.nsh"
!include "WinVer.nsh"
!include "LogicLib.nsh"

!ifndef VERSION
  !error "VERSION is required (-DVERSION=X.Y.Z)"
!endif
!ifdef CHECK
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

!define PRODUCT "Trạm tiếp nhận định danh mức 2"
!define REGKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\dinhdanh-kiosk"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\kiosk"
RequestExecutionLevel admin
ShowInstDetails show
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "dinhdanh-kiosk"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT}"
VIAddVersionKey /LANG=0 "LegalCopyright" "kiosk team"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Cần Windows 64 bit."
    Abort
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "Cần Windows 10 hoặc 11."
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Section "kiosk" Main
  SectionIn RO
  !include "${LISTS}\install-files.nsh"
  SetOutPath "$INSTDIR"

  ; Machine settings: %ProgramData%\kiosk ($APPDATA in the all-users context), writable by
  ; Administrators and SYSTEM, readable by Users (design.md). The first-run wizard, run once as
  ; administrator, writes kiosk.toml there.
  SetShellVarContext all
  CreateDirectory "$APPDATA\kiosk"
  nsExec::ExecToLog 'icacls "$APPDATA\kiosk" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX'
  Pop $0

  ; Card readers: the Smart Card service (WinSCard) starts with Windows, and the Smart Card
  ; Plug and Play enumeration stays on so a reader plugged in later is found.
  nsExec::ExecToLog 'sc.exe config SCardSvr start= auto'
  Pop $0
  nsExec::ExecToLog 'sc.exe start SCardSvr'
  Pop $0
  nsExec::ExecToLog 'sc.exe config ScDeviceEnum start= demand'
  Pop $0

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\kiosk.exe"
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\kiosk.exe"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${REGKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${REGKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${REGKEY}" "Publisher" "kiosk team"
  WriteRegStr HKLM "${REGKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${REGKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${REGKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${REGKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${REGKEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

; Uninstalling removes the program's own files only: the settings and every citizen record in
; %ProgramData%\kiosk and the data folder stay, as dpkg -r keeps them on Linux.
Section "Uninstall"
  SetShellVarContext all
  !include "${LISTS}\uninstall-files.nsh"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  DeleteRegKey HKLM "${REGKEY}"
SectionEnd
