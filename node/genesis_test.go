package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/identity"
)

func TestAppGenesisRoles(t *testing.T) {
	a, b := address.FromPubKey("ed25519", []byte("a")), address.FromPubKey("ed25519", []byte("b"))
	funds := []bank.Balance{{Address: b, Coins: []coin.Coin{coin.New("ugrd", 5)}}, {Address: a, Coins: []coin.Coin{coin.New("ugrd", 5)}}}
	rolesOf := func(raw json.RawMessage) []auth.GenesisRole {
		t.Helper()
		var st map[string]json.RawMessage
		var g auth.Genesis
		if err := json.Unmarshal(raw, &st); err != nil || json.Unmarshal(st["auth"], &g) != nil {
			t.Fatalf("app state %s", raw)
		}
		var ig identity.Genesis
		if err := json.Unmarshal(st["identity"], &ig); err != nil || ig.Sequence != 1 {
			t.Fatalf("identity section %s", st["identity"])
		}
		// The state starts a chain.
		ap, err := app.New(store.OpenMemory(), cmtlog.NewNopLogger())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ap.InitChain(context.Background(), &abci.InitChainRequest{ChainId: "g-test", InitialHeight: 1, Time: time.Unix(1, 0), AppStateBytes: raw}); err != nil {
			t.Fatalf("InitChain: %v", err)
		}
		return g.Roles
	}
	// No admin given: the first funded address is the admin, and (no member named) a
	// consortium member of chain governance.
	raw, err := AppGenesis(funds)
	if err != nil {
		t.Fatal(err)
	}
	if r := rolesOf(raw); len(r) != 2 || r[0].Role != auth.RoleAdmin || r[0].Address != b || r[1].Role != auth.RoleMember || r[1].Address != b {
		t.Fatalf("default admin %+v", r)
	}
	// Explicit admins and roles win.
	raw, err = AppGenesis(funds, append(AdminRoles([]address.Address{a}), auth.GenesisRole{Role: auth.RoleKYCProvider, Address: a})...)
	if err != nil {
		t.Fatal(err)
	}
	if r := rolesOf(raw); len(r) != 3 || r[0].Address != a || r[1].Role != auth.RoleKYCProvider || r[2].Role != auth.RoleMember || r[2].Address != a {
		t.Fatalf("explicit roles %+v", r)
	}
	// Members named: the admins are not made members.
	raw, err = AppGenesis(funds, append(AdminRoles([]address.Address{a}), auth.GenesisRole{Role: auth.RoleMember, Address: b})...)
	if err != nil {
		t.Fatal(err)
	}
	if r := rolesOf(raw); len(r) != 2 || r[1].Role != auth.RoleMember || r[1].Address != b {
		t.Fatalf("named members %+v", r)
	}
	// No funds, no admin: a chain without roles.
	raw, err = AppGenesis(nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := rolesOf(raw); len(r) != 0 {
		t.Fatalf("roles of an empty genesis %+v", r)
	}
	for name, roles := range map[string][]auth.GenesisRole{
		"admin twice":  AdminRoles([]address.Address{a, a}),
		"unknown role": {{Role: "owner", Address: a}},
		"zero address": {{Role: auth.RoleAdmin}},
	} {
		if _, err := AppGenesis(funds, roles...); err == nil || !strings.Contains(err.Error(), "genesis role") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
