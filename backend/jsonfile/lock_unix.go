//go:build unix

package jsonfile

import (
	"os"
	"syscall"
)

// lock takes an exclusive lock on path (created 0600), waiting for it.
// flock locks belong to the open file, so two sessions of one process
// exclude each other as two processes do.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
		f.Close()
	}, nil
}
