package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
)

// Limits are the login failure budgets (R7.1), each counted within Window:
//   - PerAccount: failed staff logins of one account from one client IP. It
//     is the lockout a guesser meets; keyed by client as well, a stranger
//     elsewhere cannot lock the owner out.
//   - PerAccountTotal: failed staff logins of one account from all clients
//     together, the ceiling on a guesser spread over many addresses.
//     Clients that logged into the account within KnownClientFor are
//     exempt, so that even then the owner still gets in.
//   - PerIP: failed staff logins from one client IP, any account.
//   - WeChatPerIP: failed wechatLogin calls from one client IP: its own,
//     larger budget, as many mini-program users may share an address.
//
// Only failures count: a successful login gives its place back.
type Limits struct {
	PerAccount, PerAccountTotal, PerIP, WeChatPerIP int
	Window                                          time.Duration
}

// KnownClientFor is how long a client IP that logged into an account stays
// exempt from the account's all-clients ceiling.
const KnownClientFor = 30 * 24 * time.Hour

// budget is a count of failures under one Redis key, in a fixed window that
// starts with the first failure.
type budget struct {
	key   string
	limit int
}

// reserveScript takes one place in a budget (KEYS[1]; ARGV: limit, window
// in ms): it answers {1, ttl} when taken and {0, ttl} when the budget is
// spent. Taking the place before the attempt (and giving it back on
// success) keeps parallel guesses within the budget.
var reserveScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return {0, ttl}
end
return {1, ttl}
`)

// refundScript gives a place back (KEYS[1]) unless the window has ended.
var refundScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('DECR', KEYS[1]) <= 0 then
    redis.call('DEL', KEYS[1])
  end
end
return 0
`)

// reservation holds one login attempt's places until its outcome is known.
type reservation struct {
	s    *Service
	keys []string
}

// reserve takes a place in every budget, or in none: when one is spent it
// gives the others back and returns RATE_LIMITED with the time until the
// fullest window ends. It returns UNAVAILABLE when Redis cannot be reached.
func (s *Service) reserve(ctx context.Context, budgets ...budget) (*reservation, error) {
	cmds := make([]*redis.Cmd, len(budgets))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, b := range budgets {
			cmds[i] = reserveScript.Eval(ctx, p, []string{s.loginKey(b.key)}, b.limit, s.limits.Window.Milliseconds())
		}
		return nil
	})
	if err != nil {
		return nil, unavailable(err)
	}
	r := &reservation{s: s}
	var wait time.Duration
	for i, c := range cmds {
		v, _ := c.Slice()
		if len(v) != 2 {
			return nil, unavailable(c.Err())
		}
		ok, _ := v[0].(int64)
		ttl, _ := v[1].(int64)
		if ok == 1 {
			r.keys = append(r.keys, s.loginKey(budgets[i].key))
		} else {
			wait = max(wait, time.Duration(ttl)*time.Millisecond)
		}
	}
	if wait > 0 {
		r.refund(ctx)
		wait = max(wait.Round(time.Second), time.Second)
		e := apperr.New(apperr.RateLimited, "登录尝试过于频繁，请 %s 后再试", humanWait(wait))
		e.RetryAfter = wait
		return nil, e
	}
	return r, nil
}

// refund gives the places back: the attempt did not fail (a login that
// succeeded, or one that WeChat, Redis or the database could not answer).
func (r *reservation) refund(ctx context.Context) {
	if r == nil || len(r.keys) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	_, _ = r.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range r.keys {
			refundScript.Eval(ctx, p, []string{k})
		}
		return nil
	})
}

// settle keeps the places of an attempt that failed for the caller's fault
// (UNAUTHENTICATED: a wrong password or a code WeChat refused) and gives
// them back otherwise.
func (r *reservation) settle(ctx context.Context, err error) {
	if err == nil || !apperr.Is(err, apperr.Unauthenticated) {
		r.refund(ctx)
	}
}

func (s *Service) loginKey(k string) string { return s.prefix + "login:" + k }

// accountTag is a fixed-length, unambiguous form of a username key for use
// inside Redis keys. It is a Redis Cluster hash tag ({…}), so the keys of
// one account — its failure budgets, reserved in one pipeline, and its known
// clients, written in one transaction with a budget — share a slot.
func accountTag(usernameKey string) string {
	h := sha256.Sum256([]byte(usernameKey))
	return "{" + hex.EncodeToString(h[:16]) + "}"
}

// accountKeys name (under loginKey) the Redis keys of the staff account
// with tag (accountTag) used together for a login from client ip: the
// account's failures from ip, its failures from any client and its known
// clients. They share the account's hash tag.
func accountKeys(tag, ip string) (fromIP, total, known string) {
	return "staff:acct:" + tag + ":ip:" + ip, "staff:acct:" + tag, "staff:known:" + tag
}

// knownClient reports whether ip logged into the account lately.
func (s *Service) knownClient(ctx context.Context, tag, ip string) (bool, error) {
	_, _, known := accountKeys(tag, ip)
	score, err := s.rdb.ZScore(ctx, s.loginKey(known), ip).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, unavailable(err)
	}
	return time.UnixMilli(int64(score)).After(s.now().Add(-KnownClientFor)), nil
}

// rememberClient records a successful login of the account from ip and
// clears the account's failures from that ip, in one transaction (the keys
// share the account's hash tag, as MULTI needs on a Redis Cluster).
func (s *Service) rememberClient(ctx context.Context, tag, ip string) {
	ctx = context.WithoutCancel(ctx)
	fromIP, _, known := accountKeys(tag, ip)
	known = s.loginKey(known)
	now := s.now()
	_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.loginKey(fromIP))
		p.ZAdd(ctx, known, redis.Z{Score: float64(now.UnixMilli()), Member: ip})
		p.ZRemRangeByScore(ctx, known, "-inf", "("+strconv.FormatInt(now.Add(-KnownClientFor).UnixMilli(), 10))
		p.Expire(ctx, known, KnownClientFor)
		return nil
	})
}

// humanWait renders a wait in Chinese minutes or seconds.
func humanWait(d time.Duration) string {
	if d >= time.Minute {
		return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " 分钟"
	}
	return strconv.Itoa(int(d/time.Second)) + " 秒"
}
