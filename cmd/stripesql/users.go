package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/stripesql/stripesql/server"
)

// userFlag collects repeated `--user NAME[:ro|:rw]` flags. Passwords never appear on the command
// line (ps shows it to every local user); each comes from the environment, see passwordEnv.
type userFlag []string

func (u *userFlag) String() string { return strings.Join(*u, ",") }

func (u *userFlag) Set(v string) error {
	*u = append(*u, v)
	return nil
}

// passwordEnv is the environment variable holding the password of --user name:
// STRIPESQL_PASSWORD_ followed by the name in upper case, every character other than a letter or
// digit written as _ (analyst → STRIPESQL_PASSWORD_ANALYST, bi-tool → STRIPESQL_PASSWORD_BI_TOOL).
func passwordEnv(name string) string {
	return "STRIPESQL_PASSWORD_" + strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return '_'
	}, name)
}

// parseMode reads a user's access mode: ro (read-only) or rw (read-write).
func parseMode(mode string) (readOnly bool, err error) {
	switch mode {
	case "ro":
		return true, nil
	case "rw":
		return false, nil
	}
	return false, fmt.Errorf("unknown mode %q: want ro or rw", mode)
}

// flagUsers turns --user flags into users. A single --user may still take its password from
// $STRIPESQL_PASSWORD, as before per-user variables existed.
func flagUsers(specs []string) ([]server.User, error) {
	var users []server.User
	for _, spec := range specs {
		name, mode, hasMode := strings.Cut(spec, ":")
		if name == "" {
			return nil, fmt.Errorf("--user %q has no name (e.g. --user analyst:ro)", spec)
		}
		ro := false
		if hasMode {
			var err error
			if ro, err = parseMode(mode); err != nil {
				return nil, fmt.Errorf("--user %s: %v", spec, err)
			}
		}
		pw := os.Getenv(passwordEnv(name))
		if pw == "" && len(specs) == 1 {
			pw = os.Getenv("STRIPESQL_PASSWORD")
		}
		if pw == "" {
			return nil, fmt.Errorf("--user %s needs a password in %s", name, passwordEnv(name))
		}
		users = append(users, server.User{Name: name, Password: pw, ReadOnly: ro})
	}
	return users, nil
}

// readUsersFile reads a users file: one user per line, `name password ro|rw`, then optionally
// `account=acct_…` (the user's default Stripe account) and `accounts=acct_…,acct_…` (the only
// accounts the user may read or write; the default is the first unless account= names one of
// them), fields separated by spaces or tabs, blank lines and lines starting with # ignored. The file holds passwords, so
// it is refused when its permissions let the group or other users read it.
func readUsersFile(path string) ([]server.User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read --users-file: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read --users-file: %v", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("--users-file %s holds passwords but is readable by others (mode %04o); run chmod 600 %s", path, perm, path)
	}
	var users []server.User
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s:%d: want `name password ro|rw`, got %d fields (account=acct_… and accounts=acct_…,… may follow the mode)", path, line, len(fields))
		}
		ro, err := parseMode(fields[2])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: user %s: %v", path, line, fields[0], err)
		}
		u := server.User{Name: fields[0], Password: fields[1], ReadOnly: ro}
		if err := userAccounts(&u, fields[3:]); err != nil {
			return nil, fmt.Errorf("%s:%d: user %s: %v", path, line, fields[0], err)
		}
		users = append(users, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read --users-file: %v", err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("--users-file %s lists no users", path)
	}
	return users, nil
}

// serveUsers gathers the users of --user flags and --users-file, refusing a name given twice (a
// second password for the same name would silently win or lose).
func serveUsers(specs []string, file string) ([]server.User, error) {
	users, err := flagUsers(specs)
	if err != nil {
		return nil, err
	}
	if file != "" {
		more, err := readUsersFile(file)
		if err != nil {
			return nil, err
		}
		users = append(users, more...)
	}
	seen := map[string]bool{}
	for _, u := range users {
		if seen[u.Name] {
			return nil, fmt.Errorf("duplicate user %q", u.Name)
		}
		seen[u.Name] = true
	}
	return users, nil
}

// userAccounts reads a users-file line's account= and accounts= fields into u.
func userAccounts(u *server.User, fields []string) error {
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("unknown field %q: want account=acct_… or accounts=acct_…,…", f)
		}
		switch k {
		case "account":
			if !strings.HasPrefix(v, "acct_") {
				return fmt.Errorf("account=%s is not a stripe account id (acct_…)", v)
			}
			u.Account = v
		case "accounts":
			for _, a := range strings.Split(v, ",") {
				if !strings.HasPrefix(a, "acct_") {
					return fmt.Errorf("accounts=%s: %q is not a stripe account id (acct_…)", v, a)
				}
				u.Accounts = append(u.Accounts, a)
			}
		default:
			return fmt.Errorf("unknown field %q: want account=acct_… or accounts=acct_…,…", f)
		}
	}
	if u.Account != "" && len(u.Accounts) > 0 && !slices.Contains(u.Accounts, u.Account) {
		return fmt.Errorf("account=%s is not among accounts=%s", u.Account, strings.Join(u.Accounts, ","))
	}
	return nil
}
