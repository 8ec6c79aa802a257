package emulator

// emit records an event for a change: the object's rendered snapshot and, for updates, the
// previous values of the fields that changed. Seeding does not emit; it writes its own events.
func (e *Emulator) emit(typ string, obj map[string]any, prev map[string]any) {
	if e.seeding {
		return
	}
	data := map[string]any{"object": obj}
	if prev != nil {
		data["previous_attributes"] = prev
	}
	req := map[string]any{"id": nil, "idempotency_key": nil}
	if e.curRequest != nil {
		req["id"] = e.curRequest.RequestID
		if e.curRequest.IdempotencyKey != "" {
			req["idempotency_key"] = e.curRequest.IdempotencyKey
		}
	}
	e.put(e.colls["events"], "", e.now().Unix(), map[string]any{
		"api_version":       "2023-10-16",
		"data":              data,
		"pending_webhooks":  int64(0),
		"request":           req,
		"type":              typ,
		"_delivery_success": true,
	})
}
