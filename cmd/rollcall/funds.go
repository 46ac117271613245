package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func init() {
	register("funds", "donations: the ledger's balances, reconciliation with the card processor", runFunds)
}

// fundsConfig is how the site takes donations, from the environment:
// the card processors (processorsFromEnv, in serve.go's wiring) and
// ROLLCALL_BANK_DETAILS (what donors write on a bank transfer).
func fundsConfig() web.FundsConfig {
	return web.FundsConfig{BankDetails: strings.ReplaceAll(os.Getenv("ROLLCALL_BANK_DETAILS"), `\n`, "\n"), Processors: processorsFromEnv()}
}

func runFunds(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "ledger":
			return runFundsLedger(ctx, g, args[1:], stdout, stderr)
		case "reconcile":
			return runFundsReconcile(ctx, g, args[1:], stdout, stderr)
		}
	}
	fs := newFlags(g, "funds", "funds ledger [--json]\n       rollcall funds reconcile --from YYYY-MM-DD --to YYYY-MM-DD [--json]", stderr)
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	fs.Usage()
	return errUsage
}

func runFundsLedger(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "funds", "funds ledger [--json]\n\nPrints every balance of the ledger, summed from its entries: per account\n(assets:…, income:CAMPAIGN, spending:CATEGORY:CAMPAIGN, fees:PROCESSOR) and currency.", stderr)
	asJSON := fs.Bool("json", false, "print JSON: a list of {account, campaign, category, currency, minor, amount}")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := st.LedgerBalances(ctx)
	if err != nil {
		return err
	}
	lines := funds.Report(b)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(lines)
	}
	if len(lines) == 0 {
		fmt.Fprintln(stdout, "The ledger is empty.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ACCOUNT\tCAMPAIGN\tCATEGORY\tCURRENCY\tBALANCE\t")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", l.Account, l.Campaign, l.Category, l.Currency, l.Amount)
	}
	return tw.Flush()
}

func runFundsReconcile(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "funds", "funds reconcile --from YYYY-MM-DD --to YYYY-MM-DD [--json]\n\nCompares the card payments, fees, refunds and disputes the ledger booked on\nthose days (inclusive, UTC) with each card processor's balance transactions\n(with --json, one object per processor), and lists every difference; exits 1\nwhen there is one. Needs a processor configured as for serve (docs/funds.md).", stderr)
	fromFlag := fs.String("from", "", "first day, YYYY-MM-DD")
	toFlag := fs.String("to", "", "last day, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print the differences as JSON")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	from, err1 := time.Parse("2006-01-02", *fromFlag)
	to, err2 := time.Parse("2006-01-02", *toFlag)
	if err1 != nil || err2 != nil {
		return errors.New("give --from and --to as YYYY-MM-DD")
	}
	if to.Before(from) {
		return errors.New("--to is before --from")
	}
	procs := processorsFromEnv()
	if len(procs) == 0 {
		return errNoProcessor
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	fromDay, toDay := int(registry.DayOf(from)), int(registry.DayOf(to))
	booked, err := st.BookedPayments(ctx, fromDay, toDay)
	if err != nil {
		return err
	}
	var diffs []funds.Difference
	for _, proc := range procs {
		d, err := reconcileOne(ctx, st, proc, booked, from, to, *fromFlag, *toFlag, *asJSON, stdout)
		if err != nil {
			return err
		}
		diffs = append(diffs, d...)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%d differences", len(diffs))
	}
	if !*asJSON {
		fmt.Fprintln(stdout, "No differences.")
	}
	return nil
}

// reconcileOne compares one processor's balance transactions of [from,
// to] with the payments (of every processor: booked) and reversals the
// ledger holds of it, and prints the differences.
func reconcileOne(ctx context.Context, st *store.Store, proc funds.Processor, booked []store.BookedPayment, from, to time.Time, fromText, toText string, asJSON bool, stdout io.Writer) ([]funds.Difference, error) {
	end := to.AddDate(0, 0, 1)
	bts, err := proc.BalanceTransactions(ctx, from, end)
	if err != nil {
		return nil, err
	}
	// Keep only the period asked, whatever the API returned.
	inPeriod := bts[:0]
	for _, bt := range bts {
		if !bt.Created.Before(from) && bt.Created.Before(end) {
			inPeriod = append(inPeriod, bt)
		}
	}
	var ledger []funds.LedgerPayment
	for _, p := range booked {
		if p.Processor == proc.Name() {
			ledger = append(ledger, funds.LedgerPayment{Key: p.Key, BalanceTxn: p.BalanceTxn, Currency: p.Currency, Booked: p.Booked, Fee: p.Fee})
		}
	}
	moves, err := st.ProcessorMovements(ctx, proc.Name(), int(registry.DayOf(from)), int(registry.DayOf(to)))
	if err != nil {
		return nil, err
	}
	diffs := funds.Reconcile(inPeriod, ledger, moves[funds.KindReversal])
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if diffs == nil {
			diffs = []funds.Difference{}
		}
		return diffs, enc.Encode(map[string]any{"processor": proc.Name(), "from": fromText, "to": toText, "processor_transactions": len(inPeriod), "ledger_payments": len(ledger), "differences": diffs})
	}
	// The processor's name as a word in a sentence ("acme": "Acme").
	name := strings.ToUpper(proc.Name()[:1]) + proc.Name()[1:]
	fmt.Fprintf(stdout, "%s to %s: %d %s balance transactions, %d card payments in the ledger.\n", fromText, toText, len(inPeriod), name, len(ledger))
	for _, d := range diffs {
		fmt.Fprintf(stdout, "%-17s %s: %s\n", d.Kind, d.Ref, d.Detail)
	}
	return diffs, nil
}
