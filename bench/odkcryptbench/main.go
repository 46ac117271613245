// Command odkcryptbench measures the decryption of a large attachment that
// a phone encrypted by ODK's spec (docs/benchmarks.md): a file of -size
// bytes is encrypted as Collect does (odkcrypttest), then decrypted by
// odkcrypt (AES-256-CFB, padding check and the MD5 the signature needs, as
// the submission endpoint does) and, side by side, by
// `openssl enc -d -aes-256-cfb -nopad` over the same ciphertext with the
// same key and IV; the two plain files must have the same MD5. It prints
// the times, the ratio, and the peak RSS (VmHWM) of this process and of
// openssl: the decryption streams, so memory stays flat whatever the size.
// Then (-server, on by default) it sends a record with such a video,
// encrypted with the key of the form the server serves, to the real
// submission endpoint (TLS on loopback, chunked, streamed from disk) and
// prints the time and the peak RSS of client and server together.
//
//	go run ./bench/odkcryptbench [-size BYTES (default 500 MiB)] [-dir /var/tmp] [-server=false]
package main

import (
	"bufio"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"rollcall/internal/openrosa/odkcrypt"
	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
)

func main() {
	size := flag.Int64("size", 500<<20, "bytes of the attachment")
	dirFlag := flag.String("dir", os.TempDir(), "where the files go (removed after)")
	server := flag.Bool("server", true, "also POST the encrypted file to the real submission endpoint")
	flag.Parse()
	dir, err := os.MkdirTemp(*dirFlag, "odkcryptbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	text, err := odkcrypt.NewKeyText()
	if err != nil {
		log.Fatal(err)
	}
	priv, _ := odkcrypt.ParseKey(text)
	aesKey := make([]byte, 32)
	rand.Read(aesKey)
	const instanceID = "uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	phone, err := odkcrypttest.NewPhoneWithKey(&priv.PublicKey, "rollcall_record", "bench", instanceID, aesKey)
	if err != nil {
		log.Fatal(err)
	}

	// The phone's video: pseudo-random bytes (incompressible, as video is).
	encPath := filepath.Join(dir, "video.mp4.enc")
	enc, err := os.Create(encPath)
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriterSize(enc, 1<<20)
	src := io.LimitReader(randomReader(), *size)
	t0 := time.Now()
	if err := phone.Media("video.mp4", bw, src); err != nil {
		log.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	enc.Close()
	manifest, encXML, err := phone.Finish([]byte(`<data id="rollcall_record"><video>video.mp4</video><meta><instanceID>` + instanceID + `</instanceID></meta></data>`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("encrypted %d bytes as Collect does in %v\n", *size, time.Since(t0).Round(time.Millisecond))

	// odkcrypt, as the submission endpoint runs it.
	runtime.GC()
	m, err := odkcrypt.ParseManifest(manifest)
	if err != nil {
		log.Fatal(err)
	}
	t1, c1 := time.Now(), cpu()
	sub, err := odkcrypt.Open(priv, m)
	if err != nil {
		log.Fatal(err)
	}
	in, err := os.Open(encPath)
	if err != nil {
		log.Fatal(err)
	}
	f, err := sub.File("video.mp4.enc", in)
	if err != nil {
		log.Fatal(err)
	}
	n, err := io.Copy(io.Discard, f)
	if err != nil {
		log.Fatal(err)
	}
	in.Close()
	x, _ := sub.File("submission.xml.enc", strings.NewReader(string(encXML)))
	io.Copy(io.Discard, x)
	if err := sub.Verify(); err != nil {
		log.Fatal(err)
	}
	ours, oursCPU := time.Since(t1), cpu()-c1
	hwm := vmHWM()
	fmt.Printf("odkcrypt: %d plain bytes, signature checked, in %v (%.0f MB/s), CPU %v; peak RSS of this process %d MiB\n",
		n, ours.Round(time.Millisecond), float64(n)/ours.Seconds()/1e6, oursCPU.Round(time.Millisecond), hwm>>10)

	// openssl over the same ciphertext: the IV of the first file.
	h := md5.New()
	h.Write([]byte(instanceID))
	h.Write(aesKey)
	iv := h.Sum(nil)
	iv[0]++
	out := filepath.Join(dir, "video.mp4.openssl")
	// Through /usr/bin/time: the rusage of a child of this process counts
	// the parent's pages it shared until exec.
	var timeOut strings.Builder
	cmd := exec.Command("/usr/bin/time", "-f", "%M", "openssl", "enc", "-d", "-aes-256-cfb", "-nopad", "-K", hex.EncodeToString(aesKey), "-iv", hex.EncodeToString(iv), "-in", encPath, "-out", out)
	cmd.Stderr = &timeOut
	t2 := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	theirs := time.Since(t2)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	fmt.Sscan(strings.TrimSpace(timeOut.String()), &rss)
	theirsCPU := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// openssl leaves the PKCS#7 padding: drop it, then compare MD5s.
	st, _ := os.Stat(out)
	pf, _ := os.Open(out)
	last := make([]byte, 1)
	pf.ReadAt(last, st.Size()-1)
	h2 := md5.New()
	io.Copy(h2, io.LimitReader(pf, st.Size()-int64(last[0])))
	pf.Close()
	same := hex.EncodeToString(h2.Sum(nil)) == f.MD5()
	fmt.Printf("openssl enc -d -aes-256-cfb -nopad: %v (%.0f MB/s), CPU %v; its peak RSS %d MiB; same plain MD5 as odkcrypt: %v\n",
		theirs.Round(time.Millisecond), float64(n)/theirs.Seconds()/1e6, theirsCPU.Round(time.Millisecond), rss>>10, same)
	fmt.Printf("ratio odkcrypt/openssl: wall %.2f, CPU %.2f\n", ours.Seconds()/theirs.Seconds(), oursCPU.Seconds()/theirsCPU.Seconds())
	if !same {
		os.Exit(1)
	}
	if *server {
		os.Remove(encPath)
		os.Remove(out)
		if err := serverRun(dir, *size); err != nil {
			log.Fatal(err)
		}
	}
}

func randomReader() io.Reader { return mrand.NewChaCha8([32]byte{2}) }

// vmHWM is the process's peak resident set in KiB.
func vmHWM() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// cpu is the CPU time this process used so far (user and system).
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
