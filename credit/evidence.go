package credit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
)

// Owners of evidence and of request history (Evidence.OwnerType,
// RequestEvent.OwnerType).
const (
	OwnerRepair    = "REPAIR"
	OwnerObjection = "OBJECTION"
)

// Kinds of evidence (Evidence.Kind).
const (
	EvidenceText = "TEXT"
	EvidenceFile = "FILE"
)

// Upload is one evidence file sent with a repair request, a supplement or
// an objection. Only the content decides its type: the declared
// ContentType and the file name's extension are not trusted.
type Upload struct {
	// FileName is the name the user gave; it is sanitised before storing.
	FileName string
	// ContentType is the declared type. It is not trusted and not stored:
	// the stored type is sniffed from the content.
	ContentType string
	// Size is the declared size, or 0 or negative when unknown; a declared
	// size over the limit is refused without reading Body.
	Size int64
	// Body is read once, at most the size limit plus one byte.
	Body io.Reader
}

// fileRefusal is why one upload was refused.
type fileRefusal struct {
	index   int
	name    string
	code    string
	problem string
}

// allowedExt returns the file extension of a sniffed media type that may be
// stored (PDF, JPEG, PNG), or "" for any other type.
func allowedExt(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ""
}

// readUploads reads and checks every upload before anything is stored:
// at most cfg.EvidenceMaxFiles files, each non-empty, at most
// cfg.EvidenceMaxBytes long and, by its content (http.DetectContentType),
// a PDF, JPEG or PNG. It returns the evidence rows (without owner), or
// INVALID with field "evidence" naming every refused file and why (reason
// TOO_MANY_FILES or EVIDENCE_REFUSED, detail "files").
func readUploads(ups []Upload, cfg RepairConfig, uploadedBy string, now time.Time) ([]models.Evidence, error) {
	if len(ups) > cfg.EvidenceMaxFiles {
		return nil, apperr.InvalidField("evidence", "at most %d files may be sent at once; %d were sent", cfg.EvidenceMaxFiles, len(ups)).
			WithReason("TOO_MANY_FILES").WithDetail("maxFiles", cfg.EvidenceMaxFiles)
	}
	limit := cfg.EvidenceMaxBytes
	var refused []fileRefusal
	rows := make([]models.Evidence, 0, len(ups))
	for i, u := range ups {
		name := sanitizeFileName(u.FileName)
		shown := name
		if shown == "" {
			shown = fmt.Sprintf("#%d", i+1)
		}
		refuse := func(code, problem string) {
			refused = append(refused, fileRefusal{index: i, name: shown, code: code, problem: problem})
		}
		if u.Body == nil {
			refuse("EMPTY", "it has no content")
			continue
		}
		if u.Size > limit {
			refuse("TOO_LARGE", "it is larger than "+byteSize(limit))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(u.Body, limit+1))
		switch {
		case err != nil:
			refuse("UNREADABLE", "it could not be read completely")
			continue
		case int64(len(data)) > limit:
			refuse("TOO_LARGE", "it is larger than "+byteSize(limit))
			continue
		case len(data) == 0:
			refuse("EMPTY", "it is empty")
			continue
		}
		sniffed, _, err := mime.ParseMediaType(http.DetectContentType(data))
		if err != nil {
			sniffed = "application/octet-stream"
		}
		ext := allowedExt(sniffed)
		if ext == "" {
			refuse("TYPE_NOT_ALLOWED", "its content is "+sniffed+", but only PDF, JPEG or PNG files are accepted")
			continue
		}
		if name == "" {
			name = fmt.Sprintf("evidence-%d", i+1)
		}
		if got := strings.ToLower(path.Ext(name)); got != ext && !(ext == ".jpg" && got == ".jpeg") {
			name = truncate(name, 100) + ext
		}
		sum := sha256.Sum256(data)
		rows = append(rows, models.Evidence{
			PublicID: models.NewID(), Kind: EvidenceFile, FileName: name, ContentType: sniffed,
			Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data, UploadedBy: uploadedBy, CreatedAt: now,
		})
	}
	if len(refused) > 0 {
		msgs := make([]string, len(refused))
		files := make([]map[string]any, len(refused))
		for i, r := range refused {
			msgs[i] = fmt.Sprintf("file %d (%q) was refused: %s", r.index+1, r.name, r.problem)
			files[i] = map[string]any{"index": r.index, "fileName": r.name, "code": r.code, "problem": r.problem}
		}
		return nil, apperr.InvalidField("evidence", "%s; nothing was stored", strings.Join(msgs, "; ")).
			WithReason("EVIDENCE_REFUSED").WithDetail("files", files)
	}
	return rows, nil
}

// textEvidence is a TEXT evidence row (e.g. a supplement's explanation).
func textEvidence(text, uploadedBy string, now time.Time) models.Evidence {
	sum := sha256.Sum256([]byte(text))
	return models.Evidence{PublicID: models.NewID(), Kind: EvidenceText, Text: text, Size: int64(len(text)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: uploadedBy, CreatedAt: now}
}

// storeEvidence writes the rows for their owner in tx, one INSERT each so no
// statement exceeds the server's packet limit.
func storeEvidence(tx *gorm.DB, ownerType, ownerID string, rows []models.Evidence) error {
	for i := range rows {
		rows[i].OwnerType, rows[i].OwnerID = ownerType, ownerID
		if err := tx.Create(&rows[i]).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not store the evidence")
		}
	}
	return nil
}

// evidenceColumns are the columns of an evidence listing: all but the data.
var evidenceColumns = []string{"id", "public_id", "owner_type", "owner_id", "kind", "text", "file_name", "content_type", "size", "sha256", "uploaded_by", "created_at"}

// listEvidence returns the owner's evidence without the file contents,
// oldest first.
func listEvidence(ctx context.Context, db *gorm.DB, ownerType, ownerID string) ([]models.Evidence, error) {
	var out []models.Evidence
	err := db.WithContext(ctx).Select(evidenceColumns).Where("owner_type = ? AND owner_id = ?", ownerType, ownerID).
		Order("id ASC").Find(&out).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the evidence")
	}
	return out, nil
}

// sanitizeFileName keeps the last path element of name without control or
// invisible formatting characters, reserved characters replaced by "_",
// leading dots and spaces removed, at most 100 characters. It returns ""
// when nothing usable is left.
func sanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		case strings.ContainsRune(`:*?"<>|;`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ". ")
	if utf8.RuneCountInString(s) > 100 {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		s = truncate(strings.TrimSuffix(s, ext), 100-utf8.RuneCountInString(ext)) + ext
	}
	return s
}

// byteSize formats n bytes for a message, e.g. "5 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
