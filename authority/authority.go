// Package authority names the accounts through which governance acts: the chain's governance
// authority and one DAO per security token. No private key exists for any of them; their msgs
// run only when a proposal that carries them passes (x/governance), and the modules that own
// those msgs recognise these addresses as holders of the powers documented in docs/governance.md.
package authority

import "github.com/girder-chain/girder/address"

// Chain is the account of chain governance: consortium members decide, by proposal, what it
// signs. x/auth treats it as holding every chain role.
var Chain = address.Module("governance/chain")

// DAO is the account of the DAO of the security token denom: its holders decide, by proposal,
// what it signs (treasury spends, project parameters, milestone resolutions, …).
func DAO(denom string) address.Address { return address.Module("governance/dao/" + denom) }
