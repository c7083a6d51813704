// Package httpendpoint is the HTTP interactions transport: Discord POSTs each interaction,
// signed with Ed25519; the first response goes back in the HTTP reply, later ones over REST.
// It keeps no state, so any number of replicas can sit behind a load balancer.
package httpendpoint

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
)

// MaxAge is how old a request's timestamp may be before it is refused as a replay.
const MaxAge = 5 * time.Minute

// MaxBody is the most one request may send. An interaction is a few kilobytes; the largest
// (a component on a message with full embeds, five select menus of 25 options and 25 resolved
// members, in three-byte UTF-8) stays well under it.
const MaxBody = 256 << 10

// Handler serves the interactions endpoint.
type Handler struct {
	Router    *discord.Router
	PublicKey ed25519.PublicKey
	REST      *discordgo.Session // for edits and follow-ups after the first response
	Claims    discord.Claimer    // de-duplicates deliveries by interaction id; nil: none
	Log       *slog.Logger
	Now       func() time.Time
}

// ServeHTTP checks the signature headers, then the size, then the signature and freshness of
// every request before reading it as an interaction; anything unsigned gets 401 and runs
// nothing. The headers are checked before the body is read, and a refused request's
// connection is closed, so a client that trickles a body with made-up headers holds nothing.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		refuse(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sig, ts, ok := h.signatureHeaders(r.Header)
	if !ok {
		refuse(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	if r.ContentLength > MaxBody {
		refuse(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		refuse(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		refuse(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if !ed25519.Verify(h.PublicKey, append([]byte(ts), body...), sig) {
		refuse(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if in.Type == discordgo.InteractionPing {
		writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	if !discord.FirstDelivery(r.Context(), h.Claims, &in) {
		// A signed body stays valid for MaxAge, so a captured one can be sent again; it gets an
		// answer and runs nothing.
		h.write(w, h.Router.Replayed(&in))
		return
	}

	rsp := &responder{rest: discord.RESTResponder{Session: h.REST, Interaction: &in}, first: make(chan *discordgo.InteractionResponse, 1)}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		h.Router.Dispatch(context.WithoutCancel(r.Context()), &in, rsp)
	}()
	select {
	case resp := <-rsp.first:
		h.write(w, resp)
	case <-finished:
		// The router chose not to answer (another replica has this interaction).
		select {
		case resp := <-rsp.first:
			h.write(w, resp)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	case <-r.Context().Done():
	}
}

// signatureHeaders returns the request's signature and timestamp when both are well formed
// and the timestamp is within MaxAge of now.
func (h *Handler) signatureHeaders(hdr http.Header) (sig []byte, ts string, ok bool) {
	sig, err := hex.DecodeString(hdr.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, "", false
	}
	ts = hdr.Get("X-Signature-Timestamp")
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, "", false
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	if age := now().Sub(time.Unix(secs, 0)); age > MaxAge || age < -MaxAge {
		return nil, "", false
	}
	return sig, ts, true
}

// refuse answers with an error and closes the connection: the rest of a refused request's
// body is not waited for.
func refuse(w http.ResponseWriter, msg string, code int) {
	w.Header().Set("Connection", "close")
	http.Error(w, msg, code)
}

// write answers the HTTP request with the first response. A response with files goes back as
// multipart/form-data (payload_json and files[n]), which Discord takes in the HTTP reply as it
// does on the callback route. That sends the message and its files in one step; answering
// with a deferral and sending the files in a REST edit would cost a round trip and show the
// member a "thinking" state for nothing.
func (h *Handler) write(w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	if resp.Data == nil || len(resp.Data.Files) == 0 {
		writeJSON(w, discord.WireResponse(resp))
		return
	}
	contentType, body, err := discordgo.MultipartBodyWithJSON(discord.WithAttachments(resp), resp.Data.Files)
	if err != nil {
		h.Log.Error("encoding the response with files failed", "err", err)
		http.Error(w, "response could not be encoded", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// responder hands the first response to the waiting HTTP request and sends the rest over REST.
type responder struct {
	rest  discord.RESTResponder
	first chan *discordgo.InteractionResponse
	once  sync.Once
}

func (r *responder) Respond(_ context.Context, resp *discordgo.InteractionResponse) error {
	r.once.Do(func() { r.first <- resp })
	return nil
}

func (r *responder) EditOriginal(ctx context.Context, e *discordgo.WebhookEdit) error {
	return r.rest.EditOriginal(ctx, e)
}

func (r *responder) Followup(ctx context.Context, m *discordgo.WebhookParams) error {
	return r.rest.Followup(ctx, m)
}
