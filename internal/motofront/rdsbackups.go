package motofront

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
)

// rds DescribeDBInstanceAutomatedBackups, as AWS answers it
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstanceAutomatedBackup.html):
//   - moto's answer carries no DBInstanceAutomatedBackupsArn; the front adds the ARN AWS gives
//     every automated backup (arn:aws:rds:<region>:<account>:auto-backup:ab-…);
//   - moto cannot replicate automated backups to another region
//     (StartDBInstanceAutomatedBackupsReplication); the front lists the replicas seeded with
//     AddReplicatedBackup in their destination region, as AWS lists them there
//     (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Describe.html).

// ReplicatedBackup is an instance's automated backups replicated into another region.
type ReplicatedBackup struct {
	// SourceRegion and SourceDBInstanceArn are where the backups come from; ID names the
	// replica (its ARN is arn:aws:rds:<destination>:<account>:auto-backup:<ID>).
	SourceRegion, SourceDBInstanceArn, DBInstanceIdentifier, ID string
}

// AddReplicatedBackup seeds a replica of an instance's automated backups in region.
func (f *Front) AddReplicatedBackup(region string, b ReplicatedBackup) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.extra.replicas[region] = append(f.extra.replicas[region], b)
}

var (
	backupElement = regexp.MustCompile(`(?s)<DBInstanceAutomatedBackup>(.*?)</DBInstanceAutomatedBackup>`)
	backupIDElem  = regexp.MustCompile(`<DBInstanceIdentifier>([^<]*)</DBInstanceIdentifier>`)
)

// automatedBackups forwards the call to moto and completes its answer.
func (f *Front) automatedBackups(w http.ResponseWriter, r *http.Request, region string) {
	account := f.callerAccountOf(r)
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK && account != "" {
		body = backupElement.ReplaceAllFunc(body, func(el []byte) []byte {
			if bytes.Contains(el, []byte("<DBInstanceAutomatedBackupsArn>")) {
				return el
			}
			id := "unknown"
			if m := backupIDElem.FindSubmatch(el); m != nil {
				id = string(m[1])
			}
			arn := fmt.Sprintf("<DBInstanceAutomatedBackupsArn>arn:aws:rds:%s:%s:auto-backup:ab-%s</DBInstanceAutomatedBackupsArn>", region, account, id)
			return bytes.Replace(el, []byte("<DBInstanceAutomatedBackup>"), []byte("<DBInstanceAutomatedBackup>"+arn), 1)
		})
		f.mu.Lock()
		replicas := append([]ReplicatedBackup(nil), f.extra.replicas[region]...)
		f.mu.Unlock()
		var add strings.Builder
		for _, b := range replicas {
			fmt.Fprintf(&add, "<DBInstanceAutomatedBackup><DBInstanceArn>%s</DBInstanceArn><DBInstanceAutomatedBackupsArn>arn:aws:rds:%s:%s:auto-backup:%s</DBInstanceAutomatedBackupsArn><DBInstanceIdentifier>%s</DBInstanceIdentifier><Region>%s</Region><Status>replicating</Status><Encrypted>true</Encrypted></DBInstanceAutomatedBackup>",
				b.SourceDBInstanceArn, region, account, b.ID, b.DBInstanceIdentifier, b.SourceRegion)
		}
		if add.Len() > 0 {
			switch {
			case bytes.Contains(body, []byte("</DBInstanceAutomatedBackups>")):
				body = bytes.Replace(body, []byte("</DBInstanceAutomatedBackups>"), []byte(add.String()+"</DBInstanceAutomatedBackups>"), 1)
			case bytes.Contains(body, []byte("<DBInstanceAutomatedBackups/>")):
				body = bytes.Replace(body, []byte("<DBInstanceAutomatedBackups/>"), []byte("<DBInstanceAutomatedBackups>"+add.String()+"</DBInstanceAutomatedBackups>"), 1)
			default:
				body = bytes.Replace(body, []byte("<DescribeDBInstanceAutomatedBackupsResult>"),
					[]byte("<DescribeDBInstanceAutomatedBackupsResult><DBInstanceAutomatedBackups>"+add.String()+"</DBInstanceAutomatedBackups>"), 1)
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
