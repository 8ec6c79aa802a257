package stripe

// A fixture in stripe-go's shape: objects, list containers, params and client methods.

type APIResource struct{}
type ListMeta struct{}
type ListParams struct{}
type Params struct{}

type RangeQueryParams struct {
	GreaterThan int64 `form:"gt"`
}

type WidgetStatus string

// Customer is a reference target that can arrive as a bare id.
type Customer struct {
	ID string `json:"id"`
}

func (c *Customer) UnmarshalJSON(data []byte) error {
	if id, ok := ParseID(data); ok {
		c.ID = id
		return nil
	}
	return nil
}

type WidgetSize struct {
	// Width in millimetres.
	Width int64 `json:"width"`
}

// A widget is a thing you can list.
//
// Second paragraph, left out.
type Widget struct {
	APIResource
	// Unique identifier for the object.
	ID string `json:"id"`
	// Time at which the object was created.
	Created int64 `json:"created"`
	// The widget's owner.
	Customer *Customer `json:"customer"`
	// The price, in cents.
	Amount int64 `json:"amount"`
	// The date the widget ships.
	ShipDate int64 `json:"ship_date"`
	// Set of key-value pairs.
	Metadata map[string]string `json:"metadata"`
	Status   WidgetStatus      `json:"status"`
	Ratio    float64           `json:"ratio"`
	Size     *WidgetSize       `json:"size"`
	Tags     []string          `json:"tags"`
	Active   bool              `json:"active"`
	Secret   string            `json:"-"`
}

type WidgetList struct {
	APIResource
	ListMeta
	Data []*Widget `json:"data"`
}

type WidgetListSizeParams struct {
	Width *int64 `form:"width"`
}

type WidgetListParams struct {
	ListParams   `form:"*"`
	Created      *int64                `form:"created"`
	CreatedRange *RangeQueryParams     `form:"created"`
	Customer     *string               `form:"customer"`
	Expand       []*string             `form:"expand"`
	IDs          []*string             `form:"ids"`
	Size         *WidgetListSizeParams `form:"size"`
	// Only widgets in this colour.
	Colour *string `form:"colour"`
}

type WidgetParams struct {
	Params   `form:"*"`
	Amount   *int64            `form:"amount"`
	ShipDate *int64            `form:"ship_date"`
	Metadata map[string]string `form:"metadata"`
	Active   *bool             `form:"active"`
	Expand   []*string         `form:"expand"`
}

type Part struct {
	ID     string `json:"id"`
	Weight int64  `json:"weight"`
}

type PartList struct {
	APIResource
	ListMeta
	Data []*Part `json:"data"`
}

type WidgetListPartsParams struct {
	ListParams `form:"*"`
	Widget     *string `form:"-"` // Included in URL
}
