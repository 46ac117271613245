package seal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"
)

// Terminal reads the passphrase from the terminal on fd without echo,
// prompting on stderr. It fails when fd is not a terminal, so a server
// started by a service manager never waits for input nobody can give.
func Terminal(fd int) PassphraseSource {
	return func() ([]byte, error) {
		if !term.IsTerminal(fd) {
			return nil, errors.New("not a terminal: give the passphrase on a file descriptor (--passphrase-fd)")
		}
		fmt.Fprint(os.Stderr, "Passphrase for the Rollcall data key: ")
		p, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// FD reads the passphrase from the first line of file descriptor fd (a pipe
// from a password manager or systemd-creds, say), so it never appears in a
// command line or the environment.
func FD(fd uintptr) PassphraseSource {
	return func() ([]byte, error) {
		f := os.NewFile(fd, "passphrase")
		if f == nil {
			return nil, fmt.Errorf("file descriptor %d is not open", fd)
		}
		defer f.Close()
		line, err := bufio.NewReaderSize(f, 4096).ReadBytes('\n')
		if err != nil && len(line) == 0 {
			return nil, fmt.Errorf("reading the passphrase from descriptor %d: %w", fd, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return nil, errors.New("empty passphrase")
		}
		return line, nil
	}
}

// Fixed gives a passphrase already in memory (tests, and commands that
// asked for it once and need it twice).
func Fixed(p []byte) PassphraseSource {
	return func() ([]byte, error) { return p, nil }
}
