package ghemu

import "github.com/shipkit-dev/shipkit/test/ghemu/apivalidate"

func init() {
	newValidator = func() (validator, error) { return apivalidate.New() }
}

// Rejections returns the requests the OpenAPI validator answered 422
// because GitHub's description rejects them (client mistakes, which GitHub
// would reject too), each as "METHOD PATH (operationId): reason".
func (s *Server) Rejections() []string {
	if v, ok := s.val.(*apivalidate.Validator); ok {
		return v.Rejections()
	}
	return nil
}
