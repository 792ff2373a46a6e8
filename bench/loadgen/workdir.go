package loadgen

import "os"

// Workdir makes the run's temporary directory (cw-bench-<name>…) and, unless
// bin names a binary already built (-bin), builds the product into it
// (Build). remove deletes the directory and what was built there.
func Workdir(name, bin string) (dir, product string, remove func(), err error) {
	if dir, err = os.MkdirTemp("", "cw-bench-"+name); err != nil {
		return "", "", nil, err
	}
	remove = func() { os.RemoveAll(dir) }
	if bin == "" {
		if bin, err = Build(dir); err != nil {
			remove()
			return "", "", nil, err
		}
	}
	return dir, bin, remove, nil
}
