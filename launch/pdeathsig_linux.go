package launch

import "syscall"

// setPdeathsig has the kernel kill the process when the launcher dies,
// whatever it runs (the lifeline needs a Go rank that called comm.Init).
func setPdeathsig(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
