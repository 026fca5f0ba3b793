package shopifysandbox

var testCreds = Credentials{ShopDomain: "erpsync-check.myshopify.com",
	AccessToken: "shpat_check_token", ClientSecret: "check-client-secret"}
