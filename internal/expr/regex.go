package expr

import (
	"regexp"
	"strings"
	"sync"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// regexCache keeps compiled LIKE and regular-expression patterns, since a pattern is usually a
// constant evaluated once per row.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

func newRegexCache() *regexCache { return &regexCache{m: map[string]*regexp.Regexp{}} }

const maxCachedPatterns = 512

func (c *regexCache) get(key string, build func() (*regexp.Regexp, error)) (*regexp.Regexp, error) {
	c.mu.Lock()
	re, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return re, nil
	}
	re, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedPatterns {
		c.m = map[string]*regexp.Regexp{}
	}
	c.m[key] = re
	c.mu.Unlock()
	return re, nil
}

// like compiles a LIKE pattern: % any string, _ one character, backslash escapes the next one.
func (c *regexCache) like(p string, fold bool) (*regexp.Regexp, error) {
	key := "L" + p
	if fold {
		key = "I" + p
	}
	return c.get(key, func() (*regexp.Regexp, error) {
		re, err := LikeToRegexp(p)
		if err != nil {
			return nil, err
		}
		if fold {
			re = "(?i)" + re
		}
		return regexp.Compile(re)
	})
}

// LikeToRegexp translates a LIKE pattern to an anchored Go regular expression.
func LikeToRegexp(p string) (string, error) {
	var sb strings.Builder
	sb.WriteString("(?s)^")
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			sb.WriteString(".*")
		case '_':
			sb.WriteString(".")
		case '\\':
			if i+1 >= len(rs) {
				// PostgreSQL 15 treats a trailing escape as a literal backslash
				sb.WriteString(regexp.QuoteMeta(`\`))
				continue
			}
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	return sb.String(), nil
}

// regex compiles a POSIX regular expression (PostgreSQL's ~ family); RE2 covers the common subset.
func (c *regexCache) regex(p string, fold bool) (*regexp.Regexp, error) {
	key := "R" + p
	if fold {
		key = "F" + p
	}
	return c.get(key, func() (*regexp.Regexp, error) {
		src := p
		if fold {
			src = "(?i)" + src
		}
		re, err := regexp.Compile(src)
		if err != nil {
			return nil, sqlstate.New("2201B", "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return re, nil
	})
}
