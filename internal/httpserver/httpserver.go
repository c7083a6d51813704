// Package httpserver runs the bot's HTTP servers (the interactions endpoint and the ops
// endpoints) with bounds on what one client may cost: time to send headers and body, time to
// take the reply, time a kept-alive connection may sit idle, and how many connections are
// served at once, so slow or hostile clients cannot exhaust file descriptors or goroutines.
package httpserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits bound one server's clients.
type Limits struct {
	ReadHeader time.Duration // a request's headers must arrive within this
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the request headers to the end of the reply
	Idle       time.Duration // a kept-alive connection waiting for its next request
	MaxConns   int           // connections served at once; further ones wait to be accepted
}

// MaxHeaderBytes bounds a request's headers; Discord's are well under a kilobyte.
const MaxHeaderBytes = 16 << 10

// Defaults are the limits of the bot's servers. Discord (or the reverse proxy in front) sends a
// whole request at once, so a client still sending headers after 2 s or a body after 5 s is
// not Discord, and the sooner it is dropped the sooner its connection slot is free. The write
// timeout leaves room for the first response, which the router sends within Discord's
// 3 seconds, and for files with it.
func Defaults(maxConns int) Limits {
	return Limits{ReadHeader: 2 * time.Second, Read: 5 * time.Second, Write: 15 * time.Second, Idle: 60 * time.Second, MaxConns: maxConns}
}

// Server is an HTTP server listening within its limits.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen opens addr and prepares to serve h on it within l.
func Listen(addr string, h http.Handler, l Limits) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read, WriteTimeout: l.Write,
		IdleTimeout: l.Idle, MaxHeaderBytes: MaxHeaderBytes}
	return &Server{srv: srv, ln: LimitListener(ln, l.MaxConns)}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers requests until the server is shut down; it then returns nil.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting and waits for requests in progress until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}

// LimitListener returns ln accepting at most n connections at once (n < 1: no limit). At the
// limit Accept waits for a connection to close, and new clients wait in the kernel's accept
// queue instead of each taking a file descriptor.
func LimitListener(ln net.Listener, n int) net.Listener {
	if n < 1 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when it is closed, once however often Close is called.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() error { return s.srv.Close() }
