//go:build unix && !linux

package devserver

import "syscall"

// childAttr keeps a server out of the terminal's process group; without Linux's parent-death
// signal, Close must be called to stop it.
func childAttr(cred *syscall.Credential, _ syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}

// memoryTempBase returns "": only Linux's /dev/shm is known to be a memory file system.
func memoryTempBase() string { return "" }
