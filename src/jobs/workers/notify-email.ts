// Email job: send one notification by SMTP (nodemailer, loaded on first use), once; the notification row records it.
import type { Transporter } from "nodemailer";
import type { AppContext } from "../../services/context.ts";
import { NOTIFY_EMAIL } from "../../services/ocr/notifications.ts";
import type { Worker } from "../runner.ts";

export interface NotifyEmailPayload {
  notificationId: number;
}

export function parseNotifyEmailPayload(p: unknown): NotifyEmailPayload {
  const id = (p as { notificationId?: unknown } | null)?.notificationId;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw new Error("notify_email payload needs a positive integer notificationId");
  return { notificationId: id };
}

export function notifyEmailWorker(ctx: AppContext): Worker<NotifyEmailPayload> {
  let transport: Transporter | null = null;
  return {
    kind: NOTIFY_EMAIL,
    concurrency: 1,
    parse: parseNotifyEmailPayload,
    async run({ payload }) {
      const n = ctx.store.notificationById(payload.notificationId);
      if (!n || n.emailed_at !== null || !ctx.config.smtp.url) return;
      const user = ctx.store.userById(n.user_id);
      if (!user) return;
      // nodemailer (~0.4 MB of JavaScript) is loaded with the first email, not when serve starts.
      transport ??= (await import("nodemailer")).createTransport(ctx.config.smtp.url);
      try {
        await transport.sendMail({
          from: ctx.config.smtp.from,
          to: user.email,
          subject: n.threshold >= 100 ? "rmirror: monthly OCR quota used up" : `rmirror: ${n.threshold} % of your monthly OCR quota used`,
          text: `${n.message}\n\n— rmirror\n`,
        });
      } catch (e) {
        throw new Error(`smtp: ${(e as Error).message}`);
      }
      return () => {
        ctx.store.markNotificationEmailed(n.id);
      };
    },
    onFinalFailure({ notificationId }, reason) {
      ctx.store.setNotificationEmailError(notificationId, reason.slice(0, 2000));
    },
  };
}
