//go:build linux

package hostile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// mountTmpfs mounts a tmpfs of size bytes on dir when allowed (root), and
// returns how to unmount it.
func mountTmpfs(dir string, size int64) (bool, func()) {
	if os.Geteuid() != 0 || os.Getenv("HUELLA_HOSTILE_NO_TMPFS") != "" {
		return false, nil
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		fmt.Fprintf(os.Stderr, "hostile: no tmpfs (%v); temporary disk measured by walking the folder\n", err)
		return false, nil
	}
	return true, func() { syscall.Unmount(dir, syscall.MNT_DETACH) }
}

// fsUsed is what the file system holding dir has in use.
func fsUsed(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Blocks-st.Bfree) * int64(st.Bsize), true
}

func allocated(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}
