package server

import (
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

func fingerprint(k ssh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// refusedRequests are session requests the console never honours. The SSH
// library acknowledges agent forwarding by default (without ever opening an
// agent channel); triage refuses it, and X11, outright.
var refusedRequests = map[string]bool{
	"auth-agent-req@openssh.com": true,
	"x11-req":                    true,
}

// withoutForwarding serves session channels through a filter that refuses
// agent and X11 forwarding. Port forwarding (direct-tcpip, tcpip-forward)
// and subsystems such as sftp are refused already: no handler is installed
// for them.
func withoutForwarding() ssh.Option {
	return func(srv *ssh.Server) error {
		if srv.ChannelHandlers == nil {
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{}
		}
		srv.ChannelHandlers["session"] = func(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
			ssh.DefaultSessionHandler(srv, conn, filteredChannel{newChan}, ctx)
		}
		return nil
	}
}

type filteredChannel struct{ gossh.NewChannel }

func (f filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for r := range reqs {
			if refusedRequests[r.Type] {
				if r.WantReply {
					_ = r.Reply(false, nil)
				}
				continue
			}
			out <- r
		}
	}()
	return ch, out, nil
}
