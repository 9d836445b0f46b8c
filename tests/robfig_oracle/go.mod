module cronwarp/robfig_oracle

go 1.19

require github.com/robfig/cron/v3 v3.0.1

// Debian's golang-github-robfig-cron-dev installs robfig/cron v3.0.1 here;
// the build is offline (GOPROXY=off, GOFLAGS=-mod=mod).
replace github.com/robfig/cron/v3 => /usr/share/gocode/src/github.com/robfig/cron
