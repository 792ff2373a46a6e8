package billing

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/ident"
	"creditwater/models"
)

// subjectKey identifies a subject in a batch: "E:" + USCC or "P:" + the
// blind index of the ID number.
func subjectKey(ref *subjectRef) string {
	if ref.kind == models.SubjectEnterprise {
		return "E:" + ref.id
	}
	return "P:" + ref.index
}

// resolveSubjects finds or creates the subject of every accounts row (R1.2)
// and stores its ID in the row's subject_id value. An enterprise is found by
// its USCC, a person by the blind index of the ID number; a new person is
// stored with the number sealed and masked. An existing subject is not
// renamed: subject_name only names new subjects.
func (w *writer) resolveSubjects(ctx context.Context, tx *gorm.DB, rows []row) error {
	refs := make(map[string]*subjectRef, len(rows))
	for i := range rows {
		ref := rows[i].subject
		k := subjectKey(ref)
		if _, ok := refs[k]; !ok {
			refs[k] = ref
		}
	}
	ids, err := lookupSubjects(ctx, tx, refs)
	if err != nil {
		return err
	}
	var missing []models.Subject
	for k, ref := range refs {
		if _, ok := ids[k]; ok {
			continue
		}
		s := models.Subject{Kind: ref.kind, Name: ref.name, Tier: models.TierStandard}
		s.ID = models.NewID()
		if ref.kind == models.SubjectEnterprise {
			s.USCC = &ref.id
		} else {
			sealed, err := w.ru.im.sealer.Seal(ref.id)
			if err != nil {
				return err
			}
			idx := ref.index
			s.IDIndex, s.IDSealed, s.IDMasked = &idx, sealed, ident.MaskID(ref.id)
		}
		missing = append(missing, s)
	}
	if len(missing) > 0 {
		// DO NOTHING: a concurrent import may have created the same subject;
		// the second look-up finds whichever row won.
		if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&missing, 500).Error; err != nil {
			return err
		}
		again := make(map[string]*subjectRef, len(missing))
		for k, ref := range refs {
			if _, ok := ids[k]; !ok {
				again[k] = ref
			}
		}
		more, err := lookupSubjects(ctx, tx, again)
		if err != nil {
			return err
		}
		for k, id := range more {
			ids[k] = id
		}
	}
	for i := range rows {
		id, ok := ids[subjectKey(rows[i].subject)]
		if !ok {
			return errSubjectMissing
		}
		rows[i].vals[accountSubjectCol] = id
	}
	return nil
}

type subjectError string

func (e subjectError) Error() string { return string(e) }

const errSubjectMissing = subjectError("billing: a subject vanished while its accounts were imported")

// lookupSubjects returns the IDs of the stored subjects among refs by key.
func lookupSubjects(ctx context.Context, tx *gorm.DB, refs map[string]*subjectRef) (map[string]string, error) {
	var usccs, indexes []string
	for _, ref := range refs {
		if ref.kind == models.SubjectEnterprise {
			usccs = append(usccs, ref.id)
		} else {
			indexes = append(indexes, ref.index)
		}
	}
	ids := make(map[string]string, len(refs))
	type found struct {
		ID      string
		USCC    *string
		IDIndex *string
	}
	if len(usccs) > 0 {
		var list []found
		if err := tx.WithContext(ctx).Model(&models.Subject{}).Select("id", "uscc", "id_index").Where("uscc IN ?", usccs).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, f := range list {
			if f.USCC != nil {
				ids["E:"+strings.ToUpper(*f.USCC)] = f.ID
			}
		}
	}
	if len(indexes) > 0 {
		var list []found
		if err := tx.WithContext(ctx).Model(&models.Subject{}).Select("id", "uscc", "id_index").Where("id_index IN ?", indexes).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, f := range list {
			if f.IDIndex != nil {
				ids["P:"+*f.IDIndex] = f.ID
			}
		}
	}
	return ids, nil
}

// refreshHistory sets Subject.HistorySince to the earliest opened_on of the
// subject's accounts, for the subjects of the written accounts rows and the
// subjects those accounts belonged to before; updated_at moves only for
// subjects whose value changes.
func (w *writer) refreshHistory(ctx context.Context, pool gorm.ConnPool, now time.Time) error {
	set := make(map[string]struct{}, len(w.writes))
	for i, r := range w.writes {
		if id, _ := r.vals[accountSubjectCol].(string); id != "" {
			set[id] = struct{}{}
		}
		if old := w.olds[i]; old != nil {
			if id, _ := old[accountSubjectCol].(string); id != "" {
				set[id] = struct{}{}
			}
		}
	}
	if len(set) == 0 {
		return nil
	}
	const minOpened = "(SELECT MIN(a.opened_on) FROM accounts a WHERE a.subject_id = subjects.id)"
	w.sb.Reset()
	w.sb.WriteString("UPDATE subjects SET history_since = " + minOpened + ", updated_at = ? WHERE id")
	inList(&w.sb, len(set))
	if w.mysql {
		w.sb.WriteString(" AND NOT (history_since <=> " + minOpened + ")")
	} else {
		w.sb.WriteString(" AND history_since IS NOT " + minOpened)
	}
	args := append(w.args[:0], now)
	for id := range set {
		args = append(args, id)
	}
	w.args = args
	_, err := pool.ExecContext(ctx, w.sb.String(), args...)
	return err
}

// linkChunk bounds the links inserted by one statement.
const linkChunk = 2000

// syncReminderBills rewrites the ReminderBill links of the written
// reminders whose bill list is new or changed.
func (w *writer) syncReminderBills(ctx context.Context, pool gorm.ConnPool) error {
	var replaced []any
	var links []any
	for i, r := range w.writes {
		bills := r.vals[reminderBillsCol].(string)
		if old := w.olds[i]; old != nil {
			if prev, _ := old[reminderBillsCol].(string); prev == bills {
				continue
			}
			replaced = append(replaced, r.vals[0])
		}
		for b := range strings.SplitSeq(bills, ";") {
			links = append(links, r.vals[0], b)
		}
	}
	if len(replaced) > 0 {
		w.sb.Reset()
		w.sb.WriteString("DELETE FROM reminder_bills WHERE reminder_no")
		inList(&w.sb, len(replaced))
		if _, err := pool.ExecContext(ctx, w.sb.String(), replaced...); err != nil {
			return err
		}
	}
	for len(links) > 0 {
		n := min(len(links)/2, linkChunk)
		w.sb.Reset()
		w.sb.WriteString("INSERT INTO reminder_bills (reminder_no, bill_no) VALUES ")
		placeholders(&w.sb, n, 2)
		if w.mysql {
			w.sb.WriteString(" ON DUPLICATE KEY UPDATE bill_no = bill_no")
		} else {
			w.sb.WriteString(" ON CONFLICT DO NOTHING")
		}
		if _, err := pool.ExecContext(ctx, w.sb.String(), links[:2*n]...); err != nil {
			return err
		}
		links = links[2*n:]
	}
	return nil
}
