package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// verifyRun measures `rollcall evidence verify --all` (read back, decrypt,
// re-hash every original) over files originals of total bytes together,
// side by side in the same run with `sha256sum` over the same stored
// ciphertext, before and after it (the page cache favours neither: the
// ciphertext is read three times in a row).
func verifyRun(work string, total int64, files int) error {
	bin := filepath.Join(work, "rollcall")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/rollcall").CombinedOutput(); err != nil {
		return fmt.Errorf("go build (run from the repository's root): %v\n%s", err, out)
	}
	data := filepath.Join(work, "data")
	env := append(os.Environ(), "ROLLCALL_DATA="+data)
	args := []string{"evidence", "add"}
	for i := range files {
		p := filepath.Join(work, "original-"+strconv.Itoa(i)+".bin")
		if err := writeNoise(p, total/int64(files), byte(i+1)); err != nil {
			return err
		}
		args = append(args, p)
	}
	add := exec.Command(bin, args...)
	add.Env = env
	t0 := time.Now()
	if out, err := add.CombinedOutput(); err != nil {
		return fmt.Errorf("evidence add: %v\n%s", err, out)
	}
	fmt.Printf("evidence add of %d files, %.2f GiB: %v\n", files, float64(total)/(1<<30), time.Since(t0).Round(time.Millisecond))
	for _, a := range args[2:] {
		os.Remove(a) // only the stored ciphertext is read from here on
	}
	objects, err := filepath.Glob(filepath.Join(data, "evidence", "objects", "*"))
	if err != nil || len(objects) != files {
		return fmt.Errorf("%d stored objects, want %d (%v)", len(objects), files, err)
	}
	var stored int64
	for _, o := range objects {
		fi, err := os.Stat(o)
		if err != nil {
			return err
		}
		stored += fi.Size()
	}
	peer := func() (time.Duration, error) {
		t := time.Now()
		err := exec.Command("sha256sum", objects...).Run()
		return time.Since(t), err
	}
	before, err := peer()
	if err != nil {
		return fmt.Errorf("sha256sum: %v", err)
	}
	verify := exec.Command(bin, "evidence", "verify", "--all")
	verify.Env = env
	t0 = time.Now()
	out, err := verify.CombinedOutput()
	took := time.Since(t0)
	if err != nil {
		return fmt.Errorf("evidence verify: %v\n%s", err, out)
	}
	rss := verify.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	after, err := peer()
	if err != nil {
		return fmt.Errorf("sha256sum: %v", err)
	}
	floor := (before + after) / 2
	fmt.Printf("stored ciphertext: %.2f GiB in %d objects\n", float64(stored)/(1<<30), files)
	fmt.Printf("sha256sum of the ciphertext: %v before, %v after (mean %v, %.0f MB/s)\n",
		before.Round(time.Millisecond), after.Round(time.Millisecond), floor.Round(time.Millisecond), mbps(stored, floor))
	fmt.Printf("evidence verify --all: %v (%.0f MB/s), peak RSS %d MiB\n", took.Round(time.Millisecond), mbps(stored, took), rss>>20)
	fmt.Printf("ratio verify/sha256sum: %.2f× (target ≤ 3×)\n", took.Seconds()/floor.Seconds())
	return nil
}
