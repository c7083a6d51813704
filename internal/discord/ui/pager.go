package ui

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// Sessions keeps short-lived conversation state (pages, drafts) as JSON under opaque keys;
// the Redis package implements it. Get and Touch report found=false for a key that expired or
// never existed.
type Sessions interface {
	Put(ctx context.Context, kind, key string, v any, ttl time.Duration) error
	Get(ctx context.Context, kind, key string, v any) (found bool, err error)
	Touch(ctx context.Context, kind, key string, ttl time.Duration) (found bool, err error)
	Delete(ctx context.Context, kind, key string) error
	NewKey() string
}

// ErrSessionsDown is what a feature gets when session storage is not configured at all.
var ErrSessionsDown = errors.New("ui: session storage unavailable")

// PageState is one shown page of a keyset-paged list, kept behind the key in its buttons.
// Each page shown gets its own key and its state never changes, so pressing Next twice on the
// same message shows the same next page twice rather than skipping one.
type PageState[F any, C comparable] struct {
	Guild  string `json:"guild"`
	Owner  string `json:"owner"`
	Filter F      `json:"filter"`
	// Cursors holds the keyset cursor each page was fetched with, from the first page to the
	// one shown, so Previous can go back; the first page's cursor is the zero value.
	Cursors []C `json:"cursors"`
	// Next is the cursor of the page after the one shown; HasNext says there is one.
	Next    C    `json:"next"`
	HasNext bool `json:"has_next"`
}

// Cursor is the cursor the shown page was fetched with.
func (st *PageState[F, C]) Cursor() C { return st.Cursors[len(st.Cursors)-1] }

// Page is the shown page's number, from 0.
func (st *PageState[F, C]) Page() int { return len(st.Cursors) - 1 }

// Turn moves one page forward (dir > 0) or back; a press on a disabled button (or an edited
// custom_id) stays on the same page, refreshed.
func (st *PageState[F, C]) Turn(dir int) {
	switch {
	case dir > 0 && st.HasNext:
		st.Cursors = append(st.Cursors, st.Next)
	case dir < 0 && len(st.Cursors) > 1:
		st.Cursors = st.Cursors[:len(st.Cursors)-1]
	}
	var zero C
	st.Next, st.HasNext = zero, false
}

// TurnBy turns as a PrevNext button says, "next" or "prev"; any other word (an edited
// custom_id) reports false and turns nothing.
func (st *PageState[F, C]) TurnBy(dir string) bool {
	switch dir {
	case "next":
		st.Turn(1)
	case "prev":
		st.Turn(-1)
	default:
		return false
	}
	return true
}

// SetNext records the cursor of the page after the one just fetched.
func (st *PageState[F, C]) SetNext(next C, more bool) { st.Next, st.HasNext = next, more }

// Pager stores and checks the pages of one kind of list.
type Pager[F any, C comparable] struct {
	Sessions Sessions
	Kind     string        // namespace of the keys, e.g. "browse"
	TTL      time.Duration // how long a list can still be paged after it was last shown
	// Command is the route path that starts the list again ("/positions/browse"), named in
	// the messages of an expired or foreign list.
	Command string
}

// Start is the state of a new list's first page, owned by the member who asked.
func (p Pager[F, C]) Start(a placement.Actor, f F) PageState[F, C] {
	var zero C
	return PageState[F, C]{Guild: a.GuildID, Owner: a.UserID, Filter: f, Cursors: []C{zero}}
}

// Save stores a page's state under a new key.
func (p Pager[F, C]) Save(ctx context.Context, st PageState[F, C]) (string, error) {
	if p.Sessions == nil {
		return "", ErrSessionsDown
	}
	key := p.Sessions.NewKey()
	if err := p.Sessions.Put(ctx, p.Kind, key, st, p.TTL); err != nil {
		return "", err
	}
	return key, nil
}

// Load reads the page state behind a button's key. The key is client text: a malformed one is
// a stale component, an unknown one reads as expired, and a list belongs to the member of the
// guild who asked for it; slash renders the command that starts a new one.
func (p Pager[F, C]) Load(ctx context.Context, a placement.Actor, key string, slash func(string) string) (PageState[F, C], error) {
	var st PageState[F, C]
	if !IsSessionKey(key) {
		return st, StaleComponent()
	}
	if p.Sessions == nil {
		return st, ErrSessionsDown
	}
	found, err := p.Sessions.Get(ctx, p.Kind, key, &st)
	if err != nil {
		return st, err
	}
	if !found {
		return st, placement.Errorf(placement.ENOTFOUND, "err.page_expired", map[string]any{"Cmd": Markup(slash(p.Command))})
	}
	if st.Owner != a.UserID || st.Guild != a.GuildID {
		return st, placement.Errorf(placement.EFORBIDDEN, "err.page_not_yours", map[string]any{"Cmd": Markup(slash(p.Command))})
	}
	if len(st.Cursors) == 0 {
		return st, StaleComponent()
	}
	return st, nil
}

// PrevNext is the Previous/Next row of a list; prefix+"prev"/"next" are the custom_ids.
func PrevNext(prefix, prevLabel, nextLabel string, hasPrev, hasNext bool) discordgo.ActionsRow {
	return Row(
		discordgo.Button{Label: prevLabel, Style: discordgo.SecondaryButton, CustomID: prefix + "prev", Disabled: !hasPrev},
		discordgo.Button{Label: nextLabel, Style: discordgo.SecondaryButton, CustomID: prefix + "next", Disabled: !hasNext},
	)
}

// Paging clamps page to a list of n items shown size at a time and returns the page, the page
// count and the slice bounds, for short lists read whole.
func Paging(n, size, page int) (int, int, int, int) {
	pages := max((n+size-1)/size, 1)
	page = min(max(page, 0), pages-1)
	from := page * size
	return page, pages, from, min(from+size, n)
}

// PageButtons is the Previous/Next row of a short list read whole; page n's custom_id is
// prefix + n. Call it only for two pages or more, so the two custom_ids differ.
func PageButtons(prefix, prevLabel, nextLabel string, page, pages int) discordgo.ActionsRow {
	return Row(
		discordgo.Button{Label: prevLabel, Style: discordgo.SecondaryButton, CustomID: prefix + strconv.Itoa(max(page-1, 0)), Disabled: page == 0},
		discordgo.Button{Label: nextLabel, Style: discordgo.SecondaryButton, CustomID: prefix + strconv.Itoa(min(page+1, pages-1)), Disabled: page >= pages-1},
	)
}

// SessionsDown reports whether err means session storage could not be reached: not
// configured, or an error that says so (the Redis package's errors do).
func SessionsDown(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.Is(err, ErrSessionsDown) || errors.As(err, &u) && u.Unavailable()
}
