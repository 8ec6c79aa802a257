package server

import "strings"

// messageRank orders the levels of client_min_messages: a NOTICE or WARNING reaches the client
// only when its level is at or above the setting, so pg_dump's SET client_min_messages = warning
// silences progress notices as it would on PostgreSQL.
var messageRank = map[string]int{
	"debug5": 1, "debug4": 2, "debug3": 3, "debug2": 4, "debug1": 5, "debug": 5,
	"log": 6, "notice": 7, "warning": 8, "error": 9,
}

// clientWants reports whether a message of severity (NOTICE, WARNING) is sent to the client.
func (c *conn) clientWants(severity string) bool {
	if c.sess == nil {
		return true
	}
	min, ok := c.sess.Setting("client_min_messages")
	if !ok {
		return true
	}
	want, ok := messageRank[strings.ToLower(min)]
	return !ok || messageRank[strings.ToLower(severity)] >= want
}
