package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Bounds on the files a config points at. A secret or a private key is a
// few KiB; a CA bundle may hold a few hundred certificates.
const (
	maxSecretFile = 64 << 10
	maxCAFile     = 1 << 20
)

// readSmallFile reads a regular file of at most limit bytes. Anything else
// (/dev/zero, /dev/urandom, a fifo, a directory, a socket) is refused from
// its mode before it is opened, so start-up can neither run out of memory
// nor wait forever on it.
func readSmallFile(path string, limit int64) ([]byte, fs.FileInfo, error) {
	info, err := checkSmallFile(path, limit)
	if err != nil {
		return nil, nil, err
	}
	// O_NONBLOCK: if the file was swapped for a fifo since Stat, opening it
	// must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// The opened file is the one read: check it again.
	if info, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if err := smallRegular(info, limit); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, &fileError{fmt.Sprintf("is larger than %s", size(limit))}
	}
	return data, info, nil
}

// checkSmallFile is readSmallFile's check alone, for files another package
// reads (ca_file, private_key_file).
func checkSmallFile(path string, limit int64) (fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return info, smallRegular(info, limit)
}

func smallRegular(info fs.FileInfo, limit int64) error {
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		if info.Size() > limit {
			return &fileError{fmt.Sprintf("is %s, larger than %s", size(info.Size()), size(limit))}
		}
		return nil
	case mode.IsDir():
		return &fileError{"is a directory, not a file"}
	case mode&fs.ModeNamedPipe != 0:
		return &fileError{"is a named pipe (fifo), not a regular file"}
	case mode&fs.ModeSocket != 0:
		return &fileError{"is a socket, not a regular file"}
	case mode&fs.ModeDevice != 0:
		return &fileError{"is a device, not a regular file"}
	}
	return &fileError{"is not a regular file"}
}

// fileError says what is wrong with a file that exists and can be read.
type fileError struct{ what string }

func (e *fileError) Error() string { return e.what }

// fileProblem words a failure of readSmallFile or checkSmallFile about
// path, named as what ("secret file", "ca_file").
func fileProblem(what, path string, err error) string {
	var fe *fileError
	switch {
	case errors.As(err, &fe):
		return fmt.Sprintf("%s %s %s", what, path, fe.what)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s %s does not exist", what, path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s %s is not readable by this user", what, path)
	}
	return fmt.Sprintf("cannot read %s %s", what, path)
}

func size(n int64) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		if n >= 1<<20 && n%(1<<20) == 0 {
			return fmt.Sprintf("%d MiB", n>>20)
		}
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
