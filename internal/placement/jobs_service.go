package placement

import (
	"context"
	"strconv"
	"time"
)

// The thresholds of the time-driven work.
const (
	// StaleAfter is how long a position stays open without its mentor confirming it before the
	// mentor is asked whether it is still open.
	StaleAfter = 30 * 24 * time.Hour
	// StaleGrace is how long a flagged position waits for that confirmation before it closes,
	// so a position closes as stale 37 days after its last confirmation at the earliest.
	StaleGrace = 7 * 24 * time.Hour
	// ReminderAfter is how long a submitted application waits unanswered before its mentors
	// are reminded, once.
	ReminderAfter = 7 * 24 * time.Hour
	// DigestHour is the hour, in the guild's time zone, from which each day's digest is posted.
	DigestHour = 9
)

// jobBatch is how many rows one statement of a job changes; a job runs statements until the
// due work is done, or maxBatches of them, so one run is bounded and the next one goes on.
const (
	jobBatch   = 100
	maxBatches = 50
)

// PositionNotice is a position a job changed, with what its mentors are told about it.
type PositionNotice struct {
	Position
	ConfirmedAt time.Time // the mentor's last confirmation (the posting counts as one)
	FlaggedAt   time.Time // when it was flagged stale; zero when it is not
	Mentors     []string  // the enterprise's linked mentors
	Pending     int       // applications still waiting for the mentor's answer
	Waiting     []Waiting // those applications, ascending
}

// Reminder is a position whose submitted applications waited too long for an answer.
type Reminder struct {
	GuildID        string
	PositionID     int64
	EnterpriseID   int64
	Title          string
	EnterpriseName string
	Mentors        []string
	ApplicationIDs []int64 // the applications reminded about, ascending
}

// Digest is what waits for a guild's coordinators, posted daily in the digest channel.
type Digest struct {
	GuildID          string
	Date             time.Time
	WaitingApprovals int       // accepted offers waiting for a coordinator
	OldestWaiting    time.Time // when the oldest of them was accepted; zero when none waits
	StalePositions   int       // open positions not confirmed for StaleAfter
	Unanswered       int       // submitted applications older than ReminderAfter
	UnplacedStudents int       // students with a profile or an application and no active placement
	Locale           string    // the language most of the guild's members use, for the post
}

// sweep runs one batch statement until a batch comes back short, maxBatches ran, or it fails,
// and returns how many rows changed in all.
func sweep(ctx context.Context, batch func() (int, error)) (int, error) {
	total := 0
	for range maxBatches {
		n, err := batch()
		total += n
		if err != nil || n < jobBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// positionAudit is an audit event about a position by the actor ("system" for the bot's own
// changes), in its enterprise's trail too, naming the position in its details.
func (s *Service) positionAudit(actorID string, p Position, action string, detail map[string]any) AuditEvent {
	d := map[string]any{"position_id": p.ID, "title": p.Title}
	for k, v := range detail {
		d[k] = v
	}
	return AuditEvent{GuildID: p.GuildID, ActorID: actorID, Action: action, Subject: PositionSubject(p.ID),
		EnterpriseID: p.EnterpriseID, Detail: d, At: s.Now()}
}

// mentorNotes builds one notification per mentor; the key is completed with the mentor's id.
func mentorNotes(guildID string, mentors []string, keyPrefix, messageKey string, data map[string]any) []Notification {
	out := make([]Notification, 0, len(mentors))
	for _, m := range mentors {
		out = append(out, Notification{GuildID: guildID, DedupKey: keyPrefix + ":" + m, UserID: m, MessageKey: messageKey, Data: data})
	}
	return out
}

// CloseDuePositions closes the open positions whose application deadline has passed in their
// guild's time zone (at local midnight) and tells their mentors, with how many applications
// still wait for an answer.
func (s *Service) CloseDuePositions(ctx context.Context) (int, error) {
	now := s.Now()
	effects := func(p PositionNotice) Effects {
		deadline := p.Deadline.Format(DateLayout)
		data := map[string]any{"ID": p.ID, "Title": p.Title, "Enterprise": p.EnterpriseName, "Deadline": deadline, "Pending": p.Pending}
		// The deadline is in the key: a position reopened with a later deadline closes again
		// and its mentors hear of it again.
		key := "position:" + idStr(p.ID) + ":closed:deadline:" + deadline
		return Effects{
			Audit: []AuditEvent{s.positionAudit("system", p.Position, "position.closed_deadline", map[string]any{"deadline": deadline})},
			Notes: append(mentorNotes(p.GuildID, p.Mentors, key, "jobs.note_closed_deadline", data), closedNotes(p.Position, p.Waiting)...),
		}
	}
	return sweep(ctx, func() (int, error) {
		ps, err := s.Store.CloseDuePositions(ctx, now, jobBatch, effects)
		return len(ps), err
	})
}

// FlagStalePositions asks the mentors of positions not confirmed for StaleAfter whether they
// are still open, and when they close if nobody answers.
func (s *Service) FlagStalePositions(ctx context.Context) (int, error) {
	now := s.Now()
	effects := func(p PositionNotice) Effects {
		closeAt := p.FlaggedAt.Add(StaleGrace)
		closeOn := closeAt.UTC().Format(DateLayout)
		// CloseAt shows as a Discord timestamp, in each mentor's own time.
		data := map[string]any{"ID": p.ID, "Title": p.Title, "Enterprise": p.EnterpriseName,
			"Days": int(StaleAfter / (24 * time.Hour)), "CloseOn": closeOn, "CloseAt": closeAt.Unix()}
		// One question per confirmation: after the next confirmation the position can be
		// flagged, and its mentors asked, again.
		key := "position:" + idStr(p.ID) + ":stale:" + confirmedStamp(p.ConfirmedAt)
		return Effects{
			Audit: []AuditEvent{s.positionAudit("system", p.Position, "position.flagged_stale", map[string]any{"close_on": closeOn})},
			Notes: mentorNotes(p.GuildID, p.Mentors, key, "jobs.note_stale", data),
		}
	}
	return sweep(ctx, func() (int, error) {
		ps, err := s.Store.FlagStalePositions(ctx, now.Add(-StaleAfter), now, jobBatch, effects)
		return len(ps), err
	})
}

// CloseStalePositions closes the positions flagged stale at least StaleGrace ago whose mentors
// did not confirm them since, and tells the mentors how to reopen them.
func (s *Service) CloseStalePositions(ctx context.Context) (int, error) {
	now := s.Now()
	effects := func(p PositionNotice) Effects {
		data := map[string]any{"ID": p.ID, "Title": p.Title, "Enterprise": p.EnterpriseName,
			"Days": int((StaleAfter + StaleGrace) / (24 * time.Hour)), "Pending": p.Pending}
		key := "position:" + idStr(p.ID) + ":closed:stale:" + confirmedStamp(p.ConfirmedAt)
		return Effects{
			Audit: []AuditEvent{s.positionAudit("system", p.Position, "position.closed_stale", nil)},
			Notes: append(mentorNotes(p.GuildID, p.Mentors, key, "jobs.note_closed_stale", data), closedNotes(p.Position, p.Waiting)...),
		}
	}
	return sweep(ctx, func() (int, error) {
		ps, err := s.Store.CloseStalePositions(ctx, now.Add(-StaleGrace), jobBatch, effects)
		return len(ps), err
	})
}

// confirmedStamp names one confirmation of a position in dedup keys.
func confirmedStamp(t time.Time) string { return strconv.FormatInt(t.UTC().UnixMicro(), 10) }

// ConfirmPosition records that a position is still open, which restarts its StaleAfter period
// and cancels a pending stale closure; its mentors only, and only while it is open.
func (s *Service) ConfirmPosition(ctx context.Context, a Actor, id int64) (Position, error) {
	p, err := s.OwnPosition(ctx, a, id)
	if err != nil {
		return Position{}, err
	}
	if p.Status != PositionOpen {
		return Position{}, Errorf(ECONFLICT, "jobs.err_confirm_closed", nil)
	}
	return s.Store.ConfirmPosition(ctx, a.GuildID, id, s.Now(), Audited(s.positionAudit(a.UserID, p, "position.confirmed", nil)))
}

// NextConfirmation is when a position confirmed at t is asked about again.
func NextConfirmation(t time.Time) time.Time { return t.Add(StaleAfter) }

// RemindMentors reminds the mentors of applications submitted at least ReminderAfter ago and
// still unanswered, once per application: one message per position and run.
func (s *Service) RemindMentors(ctx context.Context) (int, error) {
	now := s.Now()
	effects := func(r Reminder) Effects {
		data := map[string]any{"ID": r.PositionID, "Title": r.Title, "Enterprise": r.EnterpriseName,
			"Count": len(r.ApplicationIDs), "Days": int(ReminderAfter / (24 * time.Hour))}
		// Each application is reminded about once, so the smallest one names this reminder
		// among all reminders about the position.
		key := "position:" + idStr(r.PositionID) + ":reminder:" + idStr(r.ApplicationIDs[0])
		pos := Position{ID: r.PositionID, GuildID: r.GuildID, EnterpriseID: r.EnterpriseID, Title: r.Title}
		return Effects{
			Audit: []AuditEvent{s.positionAudit("system", pos, "position.reminded", map[string]any{"applications": len(r.ApplicationIDs)})},
			Notes: mentorNotes(r.GuildID, r.Mentors, key, "jobs.note_reminder", data),
		}
	}
	return sweep(ctx, func() (int, error) {
		rs, err := s.Store.RemindUnanswered(ctx, now.Add(-ReminderAfter), now, jobBatch, effects)
		n := 0
		for _, r := range rs {
			n += len(r.ApplicationIDs)
		}
		return n, err
	})
}

// digest counts what waits for a guild's coordinators on its today. It is for the digest job,
// which acts for no member; handlers show guild data through methods that check the actor.
func (s *Service) digest(ctx context.Context, gs GuildSettings) (Digest, error) {
	now := s.Now()
	d, err := s.Store.DigestFacts(ctx, gs.GuildID, now.Add(-StaleAfter), now.Add(-ReminderAfter))
	if err != nil {
		return Digest{}, err
	}
	d.GuildID, d.Date = gs.GuildID, s.today(gs.Location())
	return d, nil
}

// DigestKey is the dedup key of a guild's digest for a day: one digest per guild and day.
func DigestKey(day time.Time) string { return "digest:" + day.UTC().Format(DateLayout) }

// SendDigests posts today's digest in the digest channel of every guild that has one and has
// not had today's yet, from DigestHour in the guild's time zone on. It returns how many it
// queued.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	total := 0
	for range maxBatches {
		now := s.Now()
		guilds, err := s.Store.DigestGuilds(ctx, now, DigestHour, jobBatch)
		if err != nil {
			return total, err
		}
		for _, g := range guilds {
			d, err := s.digest(ctx, g)
			if err != nil {
				return total, err
			}
			queued, err := s.Store.QueueNotification(ctx, d.notification(DigestKey(d.Date), g.DigestChannelID, now))
			if err != nil {
				return total, err
			}
			if queued {
				total++
			}
		}
		if len(guilds) < jobBatch {
			return total, nil
		}
	}
	return total, nil
}

// notification is the digest as a post in the channel.
func (d Digest) notification(key, channelID string, now time.Time) Notification {
	oldestDays := 0
	if !d.OldestWaiting.IsZero() {
		oldestDays = int(now.Sub(d.OldestWaiting) / (24 * time.Hour))
	}
	msg := "jobs.digest"
	if d.WaitingApprovals == 0 && d.StalePositions == 0 && d.Unanswered == 0 && d.UnplacedStudents == 0 {
		msg = "jobs.digest_quiet"
	}
	return Notification{GuildID: d.GuildID, DedupKey: key, ChannelID: channelID, MessageKey: msg, Locale: d.Locale,
		Data: map[string]any{
			"Date": d.Date.Format(DateLayout), "Approvals": d.WaitingApprovals, "OldestDays": oldestDays,
			"Stale": d.StalePositions, "StaleDays": int(StaleAfter / (24 * time.Hour)),
			"Unanswered": d.Unanswered, "UnansweredDays": int(ReminderAfter / (24 * time.Hour)),
			"Unplaced": d.UnplacedStudents,
		}}
}
