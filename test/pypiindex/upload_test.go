package pypiindex

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"testing"
)

func uploadForm(t *testing.T, url, filename string, content []byte, digest string) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{":action": "file_upload", "name": "Acme_Lib", "version": "0.4.0", "sha256_digest": digest} {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("content", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, url+"/legacy/", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth("__token__", "pypi-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUpload(t *testing.T) {
	s := Start()
	defer s.Close()
	content := []byte("wheel bytes")
	sum := sha256.Sum256(content)
	digest := hex.EncodeToString(sum[:])

	if got := uploadForm(t, s.URL(), "acme_lib-0.4.0-py3-none-any.whl", content, "00"+digest[2:]); got != http.StatusBadRequest {
		t.Errorf("upload with a wrong digest: status %d, want 400", got)
	}
	if got := uploadForm(t, s.URL(), "acme_lib-0.4.0-py3-none-any.whl", content, digest); got != http.StatusOK {
		t.Fatalf("upload: status %d, want 200", got)
	}
	if got := uploadForm(t, s.URL(), "acme_lib-0.4.0-py3-none-any.whl", content, digest); got != http.StatusBadRequest {
		t.Errorf("second upload of the same file: status %d, want 400 (File already exists)", got)
	}
	ups := s.Uploads()
	if len(ups) != 1 || ups[0].Project != "acme-lib" || ups[0].Version != "0.4.0" || ups[0].SHA256 != digest || ups[0].Size != len(content) {
		t.Errorf("uploads = %+v", ups)
	}
	resp, err := http.Get(s.URL() + "/pypi/acme-lib/0.4.0/json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the uploaded version is not published: status %d", resp.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/legacy/", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without credentials: status %d, want 403", resp.StatusCode)
	}
}
