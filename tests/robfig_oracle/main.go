// robfig_oracle answers schedule questions with the real robfig/cron v3, for
// cronwarp's parity test (tests/robfig_parity.rs).
//
// Input, one JSON object per line on stdin:
//
//	{"spec": "TZ=Europe/Berlin 30 2 * * *", "from": "2025-03-30T00:00:00Z", "count": 3}
//
// Output, one JSON object per line on stdout, in input order:
//
//	{"next": [1743298200, ...]}  unix seconds from iterating Next; 0 = zero time
//	{"err": "..."}               ParseStandard's error text
//	{"panic": "..."}             ParseStandard panicked (robfig does on "TZ=UTC")
//
// `from` is converted to UTC before Next is called, because the Kubernetes
// controller hands Next times in its own local zone, which is UTC by default.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/robfig/cron/v3"
)

type query struct {
	Spec  string `json:"spec"`
	From  string `json:"from"`
	Count int    `json:"count"`
}

type answer struct {
	Next  []int64 `json:"next,omitempty"`
	Err   *string `json:"err,omitempty"`
	Panic *string `json:"panic,omitempty"`
}

func parse(spec string) (s cron.Schedule, err error, panicked *string) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			panicked = &msg
		}
	}()
	s, err = cron.ParseStandard(spec)
	return
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var q query
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintln(os.Stderr, "bad query:", err)
			os.Exit(2)
		}
		var a answer
		s, err, p := parse(q.Spec)
		switch {
		case p != nil:
			a.Panic = p
		case err != nil:
			msg := err.Error()
			a.Err = &msg
		default:
			t, perr := time.Parse(time.RFC3339Nano, q.From)
			if perr != nil {
				fmt.Fprintln(os.Stderr, "bad from:", perr)
				os.Exit(2)
			}
			t = t.In(time.UTC)
			a.Next = []int64{}
			for i := 0; i < q.Count; i++ {
				t = s.Next(t)
				if t.IsZero() {
					a.Next = append(a.Next, 0)
					break
				}
				a.Next = append(a.Next, t.Unix())
			}
		}
		if err := enc.Encode(a); err != nil {
			os.Exit(3)
		}
	}
}
