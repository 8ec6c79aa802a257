package widget

import (
	"net/http"

	stripe "example.com/stripe"
)

type Client struct {
	B   stripe.Backend
	Key string
}

func (c Client) New(params *stripe.WidgetParams) (*stripe.Widget, error) {
	widget := &stripe.Widget{}
	err := c.B.Call(http.MethodPost, "/v1/widgets", c.Key, params, widget)
	return widget, err
}

func (c Client) Get(id string, params *stripe.WidgetParams) (*stripe.Widget, error) {
	path := stripe.FormatURLPath("/v1/widgets/%s", id)
	widget := &stripe.Widget{}
	err := c.B.Call(http.MethodGet, path, c.Key, params, widget)
	return widget, err
}

func (c Client) Update(id string, params *stripe.WidgetParams) (*stripe.Widget, error) {
	path := stripe.FormatURLPath("/v1/widgets/%s", id)
	widget := &stripe.Widget{}
	err := c.B.Call(http.MethodPost, path, c.Key, params, widget)
	return widget, err
}

func (c Client) Cancel(id string, params *stripe.WidgetParams) (*stripe.Widget, error) {
	path := stripe.FormatURLPath("/v1/widgets/%s", id)
	widget := &stripe.Widget{}
	err := c.B.Call(http.MethodDelete, path, c.Key, params, widget)
	return widget, err
}

func (c Client) List(listParams *stripe.WidgetListParams) *Iter {
	return &Iter{
		Iter: stripe.GetIter(listParams, func(p *stripe.Params, b *form.Values) ([]interface{}, stripe.ListContainer, error) {
			list := &stripe.WidgetList{}
			err := c.B.CallRaw(http.MethodGet, "/v1/widgets", c.Key, b, p, list)
			return nil, list, err
		}),
	}
}

func (c Client) ListParts(listParams *stripe.WidgetListPartsParams) *PartIter {
	path := stripe.FormatURLPath(
		"/v1/widgets/%s/parts",
		stripe.StringValue(listParams.Widget),
	)
	return &PartIter{
		Iter: stripe.GetIter(listParams, func(p *stripe.Params, b *form.Values) ([]interface{}, stripe.ListContainer, error) {
			list := &stripe.PartList{}
			err := c.B.CallRaw(http.MethodGet, path, c.Key, b, p, list)
			return nil, list, err
		}),
	}
}

func (c Client) UpcomingParts(listParams *stripe.WidgetListPartsParams) *PartIter {
	return &PartIter{
		Iter: stripe.GetIter(listParams, func(p *stripe.Params, b *form.Values) ([]interface{}, stripe.ListContainer, error) {
			list := &stripe.PartList{}
			err := c.B.CallRaw(http.MethodGet, "/v1/widgets/upcoming/parts", c.Key, b, p, list)
			return nil, list, err
		}),
	}
}

type Iter struct{ *stripe.Iter }
type PartIter struct{ *stripe.Iter }
