package server

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// scramIterations is the PBKDF2 iteration count of SCRAM-SHA-256, PostgreSQL's default.
const scramIterations = 4096

// scramUser holds what SCRAM-SHA-256 needs of a user (RFC 5802 section 3): the salt, the
// iteration count, StoredKey and ServerKey. The password itself is kept only for cleartext
// authentication over TLS.
type scramUser struct {
	user      User
	salt      []byte
	storedKey []byte
	serverKey []byte
}

func newSCRAMUser(u User) (*scramUser, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	stored, server, err := scramKeys(u.Password, salt, scramIterations)
	if err != nil {
		return nil, err
	}
	return &scramUser{user: u, salt: salt, storedKey: stored, serverKey: server}, nil
}

func scramKeys(password string, salt []byte, iter int) (storedKey, serverKey []byte, err error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		return nil, nil, err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	sum := sha256.Sum256(clientKey)
	return sum[:], hmacSHA256(salted, "Server Key"), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// authenticate runs the authentication exchange and sets the connection's read-only flag. It
// returns false after sending a FATAL error.
func (c *conn) authenticate(sm *pgproto3.StartupMessage) bool {
	if len(c.srv.users) == 0 {
		// Serve only accepts loopback listeners without users, so this is local trust.
		return true
	}
	if d := c.srv.authDelay(c.remote); d > 0 {
		time.Sleep(d)
	}
	u := c.srv.users[c.user]
	var ok bool
	if c.srv.cfg.Cleartext {
		if !c.isTLS {
			c.sendFatal(sqlstate.New(sqlstate.InvalidAuthorization, "cleartext password authentication requires tls").
				WithHint("connect with sslmode=require"))
			return false
		}
		ok = c.cleartext(u)
	} else {
		var err error
		ok, err = c.scram(u)
		if err != nil {
			c.srv.log.Info("authentication exchange failed", "remote", c.remote, "user", c.user, "err", err)
			c.sendFatal(sqlstate.New(sqlstate.ProtocolViolation, "%s", err))
			c.srv.recordAuth(c.remote, false)
			return false
		}
	}
	c.srv.recordAuth(c.remote, ok)
	if !ok {
		c.srv.log.Info("password authentication failed", "remote", c.remote, "user", c.user)
		c.sendFatal(sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", c.user))
		return false
	}
	c.readOnly = u.user.ReadOnly
	c.account, c.accounts = u.user.Account, u.user.Accounts
	return true
}

func (c *conn) cleartext(u *scramUser) bool {
	c.send(&pgproto3.AuthenticationCleartextPassword{})
	if c.flush() != nil {
		return false
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
	m, err := c.be.Receive()
	if err != nil {
		return false
	}
	pm, isPassword := m.(*pgproto3.PasswordMessage)
	if !isPassword || u == nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(pm.Password), []byte(u.user.Password)) == 1
}

// scram runs SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding. An unknown user gets
// the same exchange with a random salt and always fails, so the exchange does not tell which user
// names exist. It returns an error for a malformed exchange.
func (c *conn) scram(u *scramUser) (bool, error) {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	if u != nil {
		salt = u.salt
	}
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := c.flush(); err != nil {
		return false, err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASL)
	m, err := c.be.Receive()
	if err != nil {
		return false, fmt.Errorf("expected a sasl response: %w", err)
	}
	first, isInitial := m.(*pgproto3.SASLInitialResponse)
	if !isInitial {
		return false, fmt.Errorf("expected a sasl initial response")
	}
	if first.AuthMechanism != "SCRAM-SHA-256" {
		return false, fmt.Errorf("client selected an invalid sasl authentication mechanism")
	}
	gs2, clientFirstBare, clientNonce, err := parseClientFirst(string(first.Data))
	if err != nil {
		return false, err
	}
	nonceBytes := make([]byte, 18)
	_, _ = rand.Read(nonceBytes)
	nonce := clientNonce + base64.StdEncoding.EncodeToString(nonceBytes)
	serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=" + strconv.Itoa(scramIterations)
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := c.flush(); err != nil {
		return false, err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	m, err = c.be.Receive()
	if err != nil {
		return false, fmt.Errorf("expected a sasl response: %w", err)
	}
	final, isResponse := m.(*pgproto3.SASLResponse)
	if !isResponse {
		return false, fmt.Errorf("expected a sasl response")
	}
	withoutProof, proof, binding, finalNonce, err := parseClientFinal(string(final.Data))
	if err != nil {
		return false, err
	}
	if binding != base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return false, fmt.Errorf("unexpected scram channel-binding attribute in client-final-message")
	}
	if finalNonce != nonce {
		return false, fmt.Errorf("unexpected scram nonce in client-final-message")
	}
	if u == nil {
		return false, nil
	}
	authMessage := clientFirstBare + "," + serverFirst + "," + withoutProof
	clientSignature := hmacSHA256(u.storedKey, authMessage)
	if len(proof) != len(clientSignature) {
		return false, nil
	}
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ clientSignature[i]
	}
	sum := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(sum[:], u.storedKey) != 1 {
		return false, nil
	}
	serverSignature := hmacSHA256(u.serverKey, authMessage)
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSignature))})
	return true, nil
}

// parseClientFirst reads "n,,n=user,r=nonce": the GS2 header (channel binding must be n or y),
// the bare message and the client's nonce.
func parseClientFirst(s string) (gs2, bare, nonce string, err error) {
	parts := strings.SplitN(s, ",", 3)
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("malformed scram message")
	}
	switch {
	case parts[0] == "n" || parts[0] == "y":
	case strings.HasPrefix(parts[0], "p="):
		return "", "", "", fmt.Errorf("scram channel binding is not supported")
	default:
		return "", "", "", fmt.Errorf("malformed scram message")
	}
	gs2 = parts[0] + "," + parts[1] + ","
	bare = parts[2]
	for _, attr := range strings.Split(bare, ",") {
		if strings.HasPrefix(attr, "r=") {
			nonce = attr[2:]
		}
	}
	if nonce == "" {
		return "", "", "", fmt.Errorf("malformed scram message: no nonce")
	}
	return gs2, bare, nonce, nil
}

// parseClientFinal reads "c=biws,r=nonce,p=proof".
func parseClientFinal(s string) (withoutProof string, proof []byte, binding, nonce string, err error) {
	i := strings.LastIndex(s, ",p=")
	if i < 0 {
		return "", nil, "", "", fmt.Errorf("malformed scram message: no proof")
	}
	withoutProof = s[:i]
	proof, err = base64.StdEncoding.DecodeString(s[i+3:])
	if err != nil {
		return "", nil, "", "", fmt.Errorf("malformed scram proof")
	}
	for _, attr := range strings.Split(withoutProof, ",") {
		switch {
		case strings.HasPrefix(attr, "c="):
			binding = attr[2:]
		case strings.HasPrefix(attr, "r="):
			nonce = attr[2:]
		}
	}
	return withoutProof, proof, binding, nonce, nil
}
