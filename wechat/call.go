package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxResponseBytes bounds what the Client reads from one WeChat answer.
const maxResponseBytes = 1 << 20

// accessToken returns the shared access token, fetching a stable token from
// WeChat when the cache has none. Errors are classified by tokenFailure.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	token, err := c.mp.GetContext().GetAccessTokenContext(ctx)
	if err != nil {
		return "", c.tokenFailure(ctx, err)
	}
	return token, nil
}

// dropToken removes the cached access token so the next call fetches one.
func (c *Client) dropToken(ctx context.Context, op string, errcode int64) {
	c.log.InfoContext(ctx, "wechat access token rejected, refreshing", "op", op, "errcode", errcode)
	if err := c.cache.Delete(tokenKey(c.appID)); err != nil {
		c.log.WarnContext(ctx, "wechat token cache delete failed", "op", op)
	}
}

// withToken runs call with the access token. When WeChat rejects the token
// (40001, 40014, 42001) it drops the cached token and runs call once more
// with a fresh one. call returns WeChat's errcode, or an error for a failed
// HTTP exchange. withToken returns the final errcode, or an *apperr.Error
// (UNAVAILABLE, or INTERNAL when no token can be had).
func (c *Client) withToken(ctx context.Context, op string, call func(ctx context.Context, token string) (int64, error)) (int64, error) {
	for attempt := 1; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return 0, err
		}
		errcode, err := call(ctx, token)
		if err != nil {
			return 0, c.transportFailure(ctx, op, err)
		}
		if attempt == 1 && tokenRejected(errcode) {
			c.dropToken(ctx, op, errcode)
			continue
		}
		return errcode, nil
	}
}

// postJSON POSTs in as JSON to WeChat's path with the access token and
// decodes the answer into out. Errors carry no URL once sanitized.
func (c *Client) postJSON(ctx context.Context, path, token string, in, out any) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiBase+path+"?access_token="+url.QueryEscape(token), &body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		return &statusError{status: resp.StatusCode}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}
