// The one-line installers (issue 15) the Devices page shows:
//   macOS/Linux:  curl -fsSL '<server>/install.sh?code=rmi_…' | sh
//   Windows:      powershell -ExecutionPolicy Bypass -c "irm '<server>/install.ps1?code=rmi_…' | iex"
// Each script is generated for this server with the one-time install code embedded (a code may
// also be given as the first argument: `curl -fsSL <server>/install.sh | sh -s -- rmi_…`). It
// detects the platform, downloads the agent from this server, checks its SHA-256, installs it
// where the user may write (no sudo), pairs with the code, installs autostart (which starts the
// agent), and prints what it did and how to undo it. Pure functions of (server, code).
import { INSTALL_CODE_RE } from "../accounts/install-codes.ts";

/** POSIX sh single-quoting. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell single-quoted string. */
export function psQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, "$&$&")}'`;
}

export function validInstallCode(code: string | null | undefined): string | null {
  return code && INSTALL_CODE_RE.test(code) ? code : null;
}

/** Where the installer puts the executable (shown on the Devices page for Full Disk Access). */
export const INSTALL_PATHS = {
  macos: "~/Applications/rmirror/rmirror",
  linux: "~/.local/bin/rmirror",
  windows: "%LOCALAPPDATA%\\Programs\\rmirror\\rmirror.exe",
} as const;

export function installCommands(server: string, code: string): { sh: string; ps1: string } {
  return {
    sh: `curl -fsSL ${shQuote(`${server}/install.sh?code=${code}`)} | sh`,
    ps1: `powershell -NoProfile -ExecutionPolicy Bypass -Command "irm '${server.replace(/'/g, "''").replace(/"/g, "")}/install.ps1?code=${code}' | iex"`,
  };
}

export function installSh(server: string, code: string | null): string {
  return `#!/bin/sh
# rmirror agent installer for macOS and Linux, from ${server.replace(/[\r\n]/g, "")}
# Usage: curl -fsSL '<server>/install.sh?code=<install code>' | sh
#    or: curl -fsSL '<server>/install.sh' | sh -s -- <install code>
# Installs the agent for this user only (no sudo), pairs it with the one-time code from the
# dashboard's Devices page, starts it at login, and prints how to undo all of it.
set -eu

SERVER=${shQuote(server)}
CODE=${shQuote(code ?? "")}
if [ "$#" -gt 0 ]; then CODE=$1; fi

say() { printf '%s\\n' "$*"; }
fail() { printf 'rmirror install: %s\\n' "$*" >&2; exit 1; }

[ -n "$CODE" ] || fail "no install code: copy the whole command from the Devices page (Connect a computer)"
[ -n "\${HOME:-}" ] || fail "HOME is not set"

os=$(uname -s)
arch=$(uname -m)
case "$os" in
  Darwin) os=darwin ;;
  Linux) os=linux ;;
  *) fail "this installer is for macOS and Linux, not $os (on Windows use the PowerShell command from the Devices page)" ;;
esac
case "$arch" in
  x86_64 | amd64) arch=x64 ;;
  arm64 | aarch64) arch=arm64 ;;
  *) fail "no agent for the $arch processor" ;;
esac
# A shell under Rosetta reports x86_64 on Apple silicon: install the native build.
if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then arch=arm64; fi
platform="$os-$arch"

if [ -n "\${RMIRROR_INSTALL_DIR:-}" ]; then dir=$RMIRROR_INSTALL_DIR
elif [ "$os" = darwin ]; then dir="$HOME/Applications/rmirror"
else dir="$HOME/.local/bin"
fi
bin="$dir/rmirror"
mkdir -p "$dir" || fail "cannot create $dir"
tmp="$dir/.rmirror-download.$$"
trap 'rm -f "$tmp" "$tmp.sha256"' EXIT INT TERM

fetch() {
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else fail "neither curl nor wget is installed"
  fi
}

say "rmirror: downloading the agent for $platform from $SERVER"
fetch "$SERVER/download/agent/$platform.sha256" "$tmp.sha256" || fail "the server has no agent for $platform (see $SERVER/download/agent/$platform)"
fetch "$SERVER/download/agent/$platform" "$tmp" || fail "download failed: $SERVER/download/agent/$platform"
expected=$(cut -d ' ' -f 1 < "$tmp.sha256")
if command -v sha256sum >/dev/null 2>&1; then actual=$(sha256sum "$tmp" | cut -d ' ' -f 1)
elif command -v shasum >/dev/null 2>&1; then actual=$(shasum -a 256 "$tmp" | cut -d ' ' -f 1)
else fail "cannot check the download: neither sha256sum nor shasum is installed"
fi
[ -n "$expected" ] && [ "$expected" = "$actual" ] || fail "checksum mismatch: expected $expected, got $actual; nothing was installed"
chmod 755 "$tmp"
mv -f "$tmp" "$bin"
if [ "$os" = darwin ]; then xattr -d com.apple.quarantine "$bin" 2>/dev/null || true; fi
say "rmirror: installed $bin (SHA-256 $actual)"

"$bin" agent login --server "$SERVER" --install-code "$CODE" || fail "pairing with $SERVER failed (the code is valid for 15 minutes and once: make a new command on the Devices page)"

installed=yes
"$bin" agent install || installed=no

say ""
say "What was done:"
say "  - the agent: $bin"
say "  - its settings and token: $HOME/.rmirror"
if [ "$installed" = yes ]; then
  if [ "$os" = darwin ]; then say "  - start at login: $HOME/Library/LaunchAgents/com.rmirror.agent.plist (launchd; started now)"
  else say "  - start at login: \${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/rmirror-agent.service (systemd --user; started now)"
  fi
else
  say "  - autostart NOT installed (see the message above); start it by hand with: $bin agent"
  say "    or install it with a folder: $bin agent install --folder <path of the reMarkable desktop app's folder>"
fi
if [ "$os" = darwin ]; then
  say ""
  say "macOS Full Disk Access: the reMarkable app keeps your notebooks in its protected container, so"
  say "rmirror needs Full Disk Access to read them. Open System Settings > Privacy & Security >"
  say "Full Disk Access, click +, press Cmd+Shift+G and enter this path:"
  say "  $bin"
  say "then switch it on. The agent retries by itself within a minute (or: launchctl kickstart -k gui/$(id -u)/com.rmirror.agent)."
fi
case ":\${PATH:-}:" in
  *":$dir:"*) ;;
  *) say ""; say "Note: $dir is not on your PATH; run the agent as $bin (or add the folder to PATH)." ;;
esac
say ""
say "Status: $bin agent status   (local page: http://127.0.0.1:9090)"
say "To undo: $bin agent uninstall && rm -f $bin && rm -rf $HOME/.rmirror"
say "         and revoke this computer's token on the Devices page: $SERVER/devices"
[ "$installed" = yes ]
`;
}

export function installPs1(server: string, code: string | null): string {
  return `# rmirror agent installer for Windows, from ${server.replace(/[\r\n]/g, "")}
# Usage (PowerShell): irm '<server>/install.ps1?code=<install code>' | iex
# Installs the agent for this user only (no administrator rights), pairs it with the one-time code
# from the dashboard's Devices page, starts it at logon (Task Scheduler), and says how to undo it.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$Server = ${psQuote(server)}
$Code = ${psQuote(code ?? "")}
if ($args.Count -gt 0) { $Code = [string]$args[0] }
if (-not $Code) { throw 'rmirror install: no install code: copy the whole command from the Devices page (Connect a computer)' }

$arch = $env:PROCESSOR_ARCHITECTURE
if ($arch -ne 'AMD64' -and $arch -ne 'ARM64') { throw "rmirror install: no agent for the $arch processor" }
$platform = 'windows-x64'  # Windows on ARM runs the x64 build

$dir = Join-Path $env:LOCALAPPDATA 'Programs\\rmirror'
$bin = Join-Path $dir 'rmirror.exe'
$tmp = Join-Path $dir ('.rmirror-download.' + $PID + '.exe')
New-Item -ItemType Directory -Force -Path $dir | Out-Null
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

Write-Host "rmirror: downloading the agent for $platform from $Server"
$sumText = [string](Invoke-RestMethod -UseBasicParsing -Uri "$Server/download/agent/$platform.sha256")
$expected = ($sumText.Trim() -split '\\s+')[0].ToLowerInvariant()
Invoke-WebRequest -UseBasicParsing -Uri "$Server/download/agent/$platform" -OutFile $tmp
$actual = (Get-FileHash -Algorithm SHA256 -Path $tmp).Hash.ToLowerInvariant()
if (-not $expected -or $actual -ne $expected) {
  Remove-Item -Force -Path $tmp
  throw "rmirror install: checksum mismatch: expected $expected, got $actual; nothing was installed"
}
# A running agent keeps rmirror.exe open: stop the scheduled task (if any) before replacing it.
try { & schtasks.exe /End /TN 'rmirror agent' *> $null } catch { }
Move-Item -Force -Path $tmp -Destination $bin
Unblock-File -Path $bin
Write-Host "rmirror: installed $bin (SHA-256 $actual)"

& $bin agent login --server $Server --install-code $Code
if ($LASTEXITCODE -ne 0) { throw 'rmirror install: pairing failed (the code is valid for 15 minutes and once: make a new command on the Devices page)' }
& $bin agent install
$installed = ($LASTEXITCODE -eq 0)

Write-Host ''
Write-Host 'What was done:'
Write-Host "  - the agent: $bin"
Write-Host "  - its settings and token: $(Join-Path $env:USERPROFILE '.rmirror')"
if ($installed) { Write-Host "  - start at logon: the scheduled task 'rmirror agent' (started now)" }
else { Write-Host "  - autostart NOT installed (see above); start it by hand with: & '$bin' agent" }
Write-Host ''
Write-Host "Status: & '$bin' agent status   (local page: http://127.0.0.1:9090)"
Write-Host "To undo: & '$bin' agent uninstall; Remove-Item -Recurse -Force '$dir', (Join-Path $env:USERPROFILE '.rmirror')"
Write-Host "         and revoke this computer's token on the Devices page: $Server/devices"
`;
}
