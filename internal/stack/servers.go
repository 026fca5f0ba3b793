package stack

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// servers are HTTP servers on free ports, closed together.
type servers []*http.Server

// serve listens on a free port of host and serves the handler that
// handler makes for the server's base URL.
func (ss *servers) serve(host string, handler func(url string) (http.Handler, error)) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return err
	}
	h, err := handler("http://" + l.Addr().String())
	if err != nil {
		l.Close()
		return err
	}

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }() // returns ErrServerClosed on Close
	*ss = append(*ss, srv)
	return nil
}

// close stops every server.
func (ss servers) close() error {
	var errs []error
	for _, srv := range ss {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}
