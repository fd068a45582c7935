package comm

import (
	"bytes"
	"testing"
)

func TestMemberKey(t *testing.T) {
	a, err := memberKey([]byte("secret-a"), "job1")
	if err != nil || len(a) != 32 {
		t.Fatalf("memberKey: %d bytes, %v; want 32", len(a), err)
	}
	again, _ := memberKey([]byte("secret-a"), "job1")
	other, _ := memberKey([]byte("secret-b"), "job1")
	otherJob, _ := memberKey([]byte("secret-a"), "job2")
	if !bytes.Equal(a, again) || bytes.Equal(a, other) || bytes.Equal(a, otherJob) {
		t.Fatal("the key must be a function of the secret and the job id only")
	}
}
