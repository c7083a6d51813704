// Package restbase makes the Discord REST base URL configurable.
//
// discordgo builds every REST URL from package-level variables that are fixed
// when the package is initialised (discordgo.EndpointAPI and everything derived
// from it), so the base cannot be changed by setting a field. Instead the bot
// installs the http.RoundTripper from NewTransport on Session.Client, and the
// transport rewrites each request aimed at discordgo's built-in base to the
// configured one. This is how tests point the bot at a fake Discord and how an
// operator points it at a proxy.
package restbase

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// DefaultBase is the REST base URL of Discord's API v10, used when none is configured.
const DefaultBase = "https://discord.com/api/v10"

// NewTransport returns a RoundTripper that sends discordgo's REST requests to base instead of
// discordgo's built-in endpoint, delegating to next (http.DefaultTransport when nil).
//
// base must be an absolute http or https URL without query or fragment, such as
// "https://discord.com/api/v10" or "http://127.0.0.1:8080/api/v10". When the rewrite would
// change nothing, next is returned as is. Requests whose URL does not start with
// discordgo.EndpointAPI (the CDN, the status page, any other host) pass through untouched.
func NewTransport(base string, next http.RoundTripper) (http.RoundTripper, error) {
	u, err := parseBase(base)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultTransport
	}
	target := strings.TrimSuffix(u.String(), "/")
	// discordgo v0.29.0 pins its endpoints to API v9 ("https://discord.com/api/v9/"), so even
	// DefaultBase is a real rewrite (v9 to v10); only a base equal to discordgo's own makes the
	// transport pointless.
	if target+"/" == discordgo.EndpointAPI {
		return next, nil
	}
	return &rewriter{from: discordgo.EndpointAPI, to: target + "/", next: next}, nil
}

func parseBase(base string) (*url.URL, error) {
	const want = `want an absolute http or https URL such as "https://discord.com/api/v10"`
	if strings.TrimSpace(base) == "" {
		return nil, fmt.Errorf("discord REST base URL is empty: %s", want)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("discord REST base URL %q: %w (%s)", base, err, want)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("discord REST base URL %q has scheme %q: %s", base, u.Scheme, want)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("discord REST base URL %q has no host: %s", base, want)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("discord REST base URL %q must not carry credentials, a query or a fragment: %s", base, want)
	}
	return u, nil
}

// rewriter replaces the prefix from with to on matching request URLs.
type rewriter struct {
	from string
	to   string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	// Working on the string form keeps the path's original escaping (emoji in reaction
	// routes, tokens) and the query exactly as discordgo produced them.
	orig := req.URL.String()
	if !strings.HasPrefix(orig, r.from) {
		return r.next.RoundTrip(req)
	}
	u, err := url.Parse(r.to + orig[len(r.from):])
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("rewrite discord REST URL %q: %w", orig, err)
	}
	// A RoundTripper must not modify the caller's request, so the rewrite goes on a clone.
	out := req.Clone(req.Context())
	out.URL = u
	out.Host = u.Host
	return r.next.RoundTrip(out)
}
