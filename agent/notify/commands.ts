// How each OS shows a notification, as the exact process to start. The text never becomes code:
// - macOS: `osascript` runs a fixed AppleScript whose run handler receives title and body as
//   arguments (`item 1 of argv`), so a notebook named `" & do shell script "…` is just text;
// - Windows: Windows PowerShell runs a fixed script (-EncodedCommand) that reads title and body
//   from environment variables and puts them into the toast XML as text nodes — no PowerShell
//   string literal to escape (PowerShell also treats ‘ ’ ‚ ‛ as quotes) and no XML built by hand;
// - Linux: `notify-send` when installed; the body is escaped as markup (servers may render
//   `<b>`, `&amp;`), options end at `--` so text starting with "-" is not an option.
// Every launch is an argv array started directly, never through a shell.

export interface Notice {
  /** Identity of the event: a notice is shown at most once per key. */
  key: string;
  title: string;
  body: string;
}

export interface Launch {
  argv: string[];
  /** Extra environment for the child (Windows: the text). */
  env?: Record<string, string>;
}

const MAX_TITLE = 120;
const MAX_BODY = 400;

/** Control and bidi-override characters out (a name from a .metadata file is anyone's text),
 *  then bounded in length. Line breaks in the body stay. */
export function plainText(s: string, max: number, keepNewlines = false): string {
  const cleaned = s.replace(keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g : /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, " ");
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/** Text for a notification body that the server may read as markup (freedesktop body-markup). */
export function markupText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const APPLESCRIPT = ["on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run"];

/** The PowerShell AppUserModelID: toasts from an unregistered id are dropped by Windows 10+. */
const POWERSHELL_AUMID = "{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe";

export const POWERSHELL_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null",
  "$xml = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)",
  "$texts = $xml.GetElementsByTagName('text')",
  "$texts.Item(0).AppendChild($xml.CreateTextNode($env:RMIRROR_NOTIFY_TITLE)) | Out-Null",
  "$texts.Item(1).AppendChild($xml.CreateTextNode($env:RMIRROR_NOTIFY_BODY)) | Out-Null",
  `[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('${POWERSHELL_AUMID}').Show([Windows.UI.Notifications.ToastNotification]::new($xml))`,
].join("\n");

/** -EncodedCommand takes the script as base64 of its UTF-16LE bytes. */
function encodedCommand(script: string): string {
  return Buffer.from(script, "utf16le").toString("base64");
}

/** The process that shows `n` on `platform`, or undefined where there is no notifier
 *  (`has(program)` says whether a program is installed). */
export function notificationLaunch(n: Notice, platform: string, has: (program: string) => boolean): Launch | undefined {
  const title = plainText(n.title, MAX_TITLE);
  const body = plainText(n.body, MAX_BODY, true);
  if (platform === "darwin") {
    if (!has("osascript")) return undefined;
    return { argv: ["osascript", ...APPLESCRIPT.flatMap((line) => ["-e", line]), title, body] };
  }
  if (platform === "win32") {
    if (!has("powershell.exe") && !has("powershell")) return undefined;
    return {
      argv: ["powershell.exe", "-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden", "-ExecutionPolicy", "Bypass", "-EncodedCommand", encodedCommand(POWERSHELL_SCRIPT)],
      env: { RMIRROR_NOTIFY_TITLE: title, RMIRROR_NOTIFY_BODY: body },
    };
  }
  if (!has("notify-send")) return undefined;
  return { argv: ["notify-send", "--app-name=rmirror", "--", title, markupText(body)] };
}
