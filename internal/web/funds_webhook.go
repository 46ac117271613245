package web

import (
	"errors"
	"io"
	"net/http"

	"rollcall/internal/funds"
)

// maxWebhookBytes bounds a webhook's body; processors' events are a few KB.
const maxWebhookBytes = 64 << 10

// processorWebhook takes a processor's events at /webhooks/{processor}.
// The body is read whole, at most maxWebhookBytes, before anything else;
// the signature is checked on those bytes by the processor the path
// names, which is the event's processor; only then is the event parsed
// and applied, exactly once. Answers: 404 for a processor we do not
// have, 400 for a forged, stale or unreadable event (nothing recorded),
// 500 when storing failed (the processor retries), 200 otherwise, also
// for a repeat or a type we ignore.
func (s *Server) processorWebhook(w http.ResponseWriter, r *http.Request) {
	proc := s.fundsConfig().processor(r.PathValue("processor"))
	if proc == nil {
		s.notFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		s.plainError(w, http.StatusRequestEntityTooLarge, "The event is too large.")
		return
	}
	ev, err := proc.ReadEvent(body, r.Header.Get(proc.SignatureHeader()))
	switch {
	case errors.Is(err, funds.ErrSignature):
		s.plainError(w, http.StatusBadRequest, "The signature is missing, wrong or too old.")
		return
	case err != nil:
		s.plainError(w, http.StatusBadRequest, "The event could not be read.")
		return
	}
	ev.Processor = proc.Name()
	if ev.Action == funds.ActionPayment && ev.Paid && ev.Invoice != "" && ev.PaymentIntent == "" {
		// A monthly gift's refunds and disputes name only the payment
		// intent, which an invoice event may lack. Without it they could
		// never be matched, so when the processor cannot say, nothing is
		// recorded and the processor retries (500).
		pi, err := proc.InvoicePaymentIntent(r.Context(), ev.Invoice)
		if err != nil {
			s.serverError(w, ev.Processor+" invoice payment", err)
			return
		}
		ev.PaymentIntent = pi
	}
	if ev.Action == funds.ActionPayment && ev.Paid && ev.PaymentIntent != "" {
		// The fee is booked apart; without it the gift is still booked
		// (reconciliation lists the missing fee), never lost.
		if fee, txn, err := proc.PaymentFee(r.Context(), ev.PaymentIntent); err != nil {
			s.log.Warn("fee lookup failed", "processor", ev.Processor, "event", ev.ID, "err", err)
		} else {
			ev.Fee, ev.BalanceTxn = fee, txn
		}
	}
	outcome, err := s.store.ApplyProcessorEvent(r.Context(), ev)
	if err != nil {
		s.serverError(w, ev.Processor+" event", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(outcome + "\n"))
}
