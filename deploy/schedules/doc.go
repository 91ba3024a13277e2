// Package schedules holds no code: its directory holds the recipes that run `shoko audit`
// daily (systemd timer, cron, GitHub Actions, Kubernetes CronJob; docs/schedules.md), and its
// test reads each one and checks that it invokes the audit with the shared config and a key
// from a secret, once a day, into the same store.
package schedules
