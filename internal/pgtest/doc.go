// Package pgtest starts a throwaway PostgreSQL server for tests that compare stripesql with the real
// thing (differential tests) or drive real clients against a reference server.
//
// The server lives in a temporary directory, listens only on 127.0.0.1 at a free port, and is
// stopped by the test's cleanup. Tests skip, saying why, when no PostgreSQL binaries are installed
// (./.ci/run installs Debian's postgresql package, so CI never skips).
package pgtest
