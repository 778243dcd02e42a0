// feedclient resumes a partner's durable feeds with the stock nats.go client (Debian's
// golang-github-nats-io-go-nats-dev), as docs/partners.md shows, and prints what it got as JSON.
//
// Usage: feedclient URL TOKEN
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

type result struct {
	StreamMessages uint64   `json:"stream_messages"`
	Pull           []string `json:"pull"`
	PullSequences  []uint64 `json:"pull_sequences"`
	Push           []string `json:"push"`
	Error          string   `json:"error,omitempty"`
}

func eventID(data []byte) string {
	var envelope struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(data, &envelope)
	return envelope.ID
}

func run(url, token string) (result, error) {
	var out result
	nc, err := nats.Connect(url, nats.Token(token), nats.MaxReconnects(-1))
	if err != nil {
		return out, err
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		return out, err
	}
	info, err := js.StreamInfo("LOGISTICS")
	if err != nil {
		return out, fmt.Errorf("stream info: %w", err)
	}
	out.StreamMessages = info.State.Msgs

	sub, err := js.PullSubscribe("logistics.>", "go-field", nats.BindStream("LOGISTICS"))
	if err != nil {
		return out, fmt.Errorf("pull subscribe: %w", err)
	}
	for {
		msgs, err := sub.Fetch(200, nats.MaxWait(3*time.Second))
		if errors.Is(err, nats.ErrTimeout) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("fetch: %w", err)
		}
		for _, msg := range msgs {
			meta, err := msg.Metadata()
			if err != nil {
				return out, fmt.Errorf("metadata: %w", err)
			}
			out.Pull = append(out.Pull, eventID(msg.Data))
			out.PullSequences = append(out.PullSequences, meta.Sequence.Stream)
			if err := msg.Ack(); err != nil {
				return out, fmt.Errorf("ack: %w", err)
			}
		}
	}

	received := make(chan *nats.Msg, 65536)
	push, err := js.Subscribe("logistics.>", func(msg *nats.Msg) { received <- msg },
		nats.Durable("go-push"), nats.ManualAck(), nats.BindStream("LOGISTICS"))
	if err != nil {
		return out, fmt.Errorf("push subscribe: %w", err)
	}
	// Not unsubscribed: nats.go deletes a consumer it made when unsubscribing, and this one
	// must stay to be resumed.
	_ = push
	for {
		select {
		case msg := <-received:
			out.Push = append(out.Push, eventID(msg.Data))
			if err := msg.Ack(); err != nil {
				return out, fmt.Errorf("push ack: %w", err)
			}
		case <-time.After(3 * time.Second):
			return out, nil
		}
	}
}

func main() {
	out, err := run(os.Args[1], os.Args[2])
	if err != nil {
		out.Error = err.Error()
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
}
