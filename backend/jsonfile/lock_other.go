//go:build !unix

package jsonfile

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// lock creates path exclusively, waiting while another holder has it. A
// lock older than ten seconds is taken to be left by a crash and broken.
func lock(path string) (func(), error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if info, serr := os.Stat(path); serr == nil && time.Since(info.ModTime()) > 10*time.Second {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, errors.New("another triage holds the lock " + path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
