package stack

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/netsuite/netsuitesandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed credentials of the NetSuite sandbox. They protect nothing but a
// sandbox on loopback, and being fixed lets printed examples work as they
// are. The certificate's private key is made when the sandbox starts.
const (
	NetSuiteAccount        = "1234567_SB1"
	NetSuiteConsumerKey    = "netsuite-sandbox-consumer-key"
	NetSuiteConsumerSecret = "netsuite-sandbox-consumer-secret"
	NetSuiteTokenID        = "netsuite-sandbox-token-id"
	NetSuiteTokenSecret    = "netsuite-sandbox-token-secret"
	NetSuiteClientID       = "netsuite-sandbox-client-id"
	NetSuiteCertificateID  = "netsuite-sandbox-certificate-id"
)

// netsuiteInfo is what a NetSuite client needs, for either authentication.
type netsuiteInfo struct {
	System         string `json:"system"`
	URL            string `json:"url"`
	Account        string `json:"account"`
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret"`
	TokenID        string `json:"token_id"`
	TokenSecret    string `json:"token_secret"`
	ClientID       string `json:"client_id"`
	CertificateID  string `json:"certificate_id"`
	PrivateKeyPEM  string `json:"private_key_pem"`
}

// netsuiteSandbox serves NetSuite's REST web services. The worker uses
// OAuth 2.0 client credentials, which NetSuite prefers over TBA for new
// integrations; the TBA values work too.
func netsuiteSandbox(model *erpsandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, System, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, System{}, fmt.Errorf("make the netsuite certificate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, System{}, fmt.Errorf("encode the netsuite certificate key: %w", err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	h := netsuitesandbox.New(model, faults, netsuitesandbox.Credentials{
		Account: NetSuiteAccount, ConsumerKey: NetSuiteConsumerKey,
		ConsumerSecret: NetSuiteConsumerSecret, TokenID: NetSuiteTokenID,
		TokenSecret: NetSuiteTokenSecret, ClientID: NetSuiteClientID,
		CertificateID: NetSuiteCertificateID, PublicKey: &key.PublicKey,
	}, netsuitesandbox.WithBaseCurrency(Currency))
	desc, err := info(netsuiteInfo{System: config.ERPNetSuite, URL: url,
		Account: NetSuiteAccount, ConsumerKey: NetSuiteConsumerKey,
		ConsumerSecret: NetSuiteConsumerSecret, TokenID: NetSuiteTokenID,
		TokenSecret: NetSuiteTokenSecret, ClientID: NetSuiteClientID,
		CertificateID: NetSuiteCertificateID, PrivateKeyPEM: keyPEM})

	return h, System{Name: config.ERPNetSuite, URL: url, Info: desc, Env: []string{
		config.EnvNSURL + "=" + url,
		config.EnvNSAccount + "=" + NetSuiteAccount,
		config.EnvNSClientID + "=" + NetSuiteClientID,
		config.EnvNSCertificateID + "=" + NetSuiteCertificateID,
		config.EnvNSPrivateKey + "=" + keyPEM,
	}}, err
}
