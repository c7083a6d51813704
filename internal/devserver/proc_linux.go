//go:build linux

package devserver

import "syscall"

// childAttr makes a server die with this process (Pdeathsig) and keeps it out of the terminal's
// process group, so that Ctrl-C reaches only the parent, which then shuts the server down in order.
func childAttr(cred *syscall.Credential, deathSignal syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: deathSignal, Setpgid: true}
}

// minMemoryDirFree is the free space a memory file system needs before ephemeral clusters go
// there: each test database is a copy of about 8 MB.
const minMemoryDirFree = 1 << 30

// memoryTempBase returns /dev/shm when it is a tmpfs with room to spare, else "". Ephemeral data
// lives there because creating Postgres's hundreds of small files on a disk-backed file system
// makes each CREATE DATABASE take hundreds of milliseconds instead of about ten.
func memoryTempBase() string {
	const tmpfsMagic = 0x01021994
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil {
		return ""
	}
	if st.Type != tmpfsMagic || st.Bavail*uint64(st.Bsize) < minMemoryDirFree {
		return ""
	}
	if syscall.Access("/dev/shm", 0o2|0o1) != nil {
		return ""
	}
	return "/dev/shm"
}
