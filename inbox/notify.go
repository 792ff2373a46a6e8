package inbox

import (
	"context"
	"log/slog"
	"slices"

	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/notice"
	"creditwater/store"
)

// Recipients finds who may view a subject: package access's Policy.Users.
type Recipients interface {
	Users(ctx context.Context, db *gorm.DB, subjectID string, scopes ...models.AgentScope) ([]string, error)
}

// Notifier delivers the domains' events (package notice) to the inbox of
// every user with an ACTIVE binding for the event's subject that allows
// VIEW (a legal representative, or an agent with scope VIEW) (R7.6).
//
// For the kinds in MessageKinds it also hands each new notice to Message,
// in the same transaction: the WeChat subscribe message where the user
// holds a grant (R7.6; package apply's QueueNoticeMessage).
type Notifier struct {
	inbox *Inbox
	users Recipients
	log   *slog.Logger
	// Message, when set, queues the subscribe message of a notice new to
	// userID; its error undoes the delivery.
	Message func(ctx context.Context, tx *gorm.DB, userID string, ev notice.Event) error
	// MessageKinds are the event kinds that get a subscribe message.
	MessageKinds []notice.Kind
}

// NewNotifier returns the notifier of b; log receives delivery failures.
func NewNotifier(b *Inbox, users Recipients, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{inbox: b, users: users, log: log}
}

// Notify delivers ev in its own transaction, after the caller's change was
// committed. A failure is logged, never returned: the change stands, and a
// job that emits the event again with the same Key delivers it once.
func (n *Notifier) Notify(ctx context.Context, ev notice.Event) {
	if err := n.NotifyTx(ctx, nil, ev); err != nil {
		n.log.ErrorContext(ctx, "inbox notice not delivered", "kind", string(ev.Kind), "subject", ev.SubjectID, "error", err)
	}
}

// NotifyTx delivers ev inside tx (or on its own when tx is nil): one notice
// for each recipient. It returns INTERNAL on a database failure.
func (n *Notifier) NotifyTx(ctx context.Context, tx *gorm.DB, ev notice.Event) error {
	if ev.SubjectID == "" && len(ev.Also) == 0 {
		return nil
	}
	if tx == nil {
		return store.Transaction(ctx, n.inbox.db, func(tx *gorm.DB) error { return n.NotifyTx(ctx, tx, ev) })
	}
	var users []string
	if ev.SubjectID != "" {
		var err error
		if users, err = n.users.Users(ctx, tx, ev.SubjectID, models.ScopeView); err != nil {
			return err
		}
	}
	for _, u := range ev.Also {
		if u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	title := ev.Title
	if title == "" {
		title = notice.Title(ev.Kind)
	}
	for _, u := range users {
		nt := models.Notice{UserID: u, SubjectID: ev.SubjectID, Kind: string(ev.Kind), Title: truncate(title, 100), Body: truncate(ev.Body, 1000),
			RefType: ev.RefType, RefID: ev.RefID}
		if ev.Key != "" {
			key := truncate(ev.Key, 80) + ":" + u
			nt.DedupKey = &key
		}
		fresh, err := n.inbox.post(ctx, tx, nt)
		if err != nil {
			return err
		}
		if fresh && n.Message != nil && slices.Contains(n.MessageKinds, ev.Kind) {
			if err := n.Message(ctx, tx, u, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
