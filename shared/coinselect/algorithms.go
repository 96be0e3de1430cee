package coinselect

import (
	"cmp"
	"container/heap"
	"math"
	"math/rand/v2"
	"slices"
)

// TotalTries is Core's TOTAL_TRIES: the number of nodes branch and bound visits at most.
const TotalTries = 100_000

// ChangeLower is Core's CHANGE_LOWER (50,000 sats): the single random draw keeps selecting
// until it has this much above the target, so that its change is not tiny.
const ChangeLower = 50_000

// Coin is a candidate input as the algorithms see it (Core's OutputGroup of one coin).
type Coin struct {
	// Amount is what the coin contributes to the target: its effective value (value minus
	// the fee to spend it), or its value when the outputs pay the fee.
	Amount int64
	// Fee is the fee to spend the coin at the current fee rate.
	Fee int64
	// LongTermFee is the fee to spend it at the long-term fee rate.
	LongTermFee int64
	// Weight is the input's BIP141 weight.
	Weight int64
}

// sortDescending orders coins by descending Amount, lower waste first on ties (Core's
// "descending" comparator), then by position for a deterministic order.
func sortDescending(coins []Coin) []int {
	idx := make([]int, len(coins))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(coins[b].Amount, coins[a].Amount); c != 0 {
			return c
		}
		return cmp.Compare(coins[a].Fee-coins[a].LongTermFee, coins[b].Fee-coins[b].LongTermFee)
	})
	return idx
}

// BranchAndBound searches for the changeless input set whose total Amount lies in
// [target, target+costOfChange] with the lowest waste, exploring at most TotalTries nodes
// (Core's SelectCoinsBnB; Murch, "An Evaluation of Coin Selection Strategies", 2016). It
// returns indexes into coins, or ok = false when no such set was found; weightExceeded
// tells that some candidate was rejected for exceeding maxWeight.
func BranchAndBound(coins []Coin, target, costOfChange, maxWeight int64) (selected []int, ok, weightExceeded bool) {
	if len(coins) == 0 {
		return nil, false, false
	}
	order := sortDescending(coins)
	pool := make([]Coin, len(order))
	var avail int64
	for i, j := range order {
		pool[i] = coins[j]
		if pool[i].Amount <= 0 {
			return nil, false, false // callers pass positive amounts only
		}
		avail += pool[i].Amount
	}
	if avail < target {
		return nil, false, false
	}
	feeHigh := pool[0].Fee > pool[0].LongTermFee
	var (
		cur                []int
		curValue, curWaste int64
		curWeight          int64
		best               []int
		bestWaste          int64 = math.MaxInt64
		next               int
	)
	for try := 0; try < TotalTries; try, next = try+1, next+1 {
		backtrack := false
		switch {
		case curValue+avail < target || curValue > target+costOfChange || (curWaste > bestWaste && feeHigh):
			backtrack = true
		case curWeight > maxWeight:
			weightExceeded = true
			backtrack = true
		case curValue >= target:
			if w := curWaste + curValue - target; w <= bestWaste {
				best = append(best[:0], cur...)
				bestWaste = w
			}
			backtrack = true
		}
		if backtrack {
			if len(cur) == 0 {
				break
			}
			last := cur[len(cur)-1]
			// Give the omitted coins after the last included one back to the lookahead.
			for next--; next > last; next-- {
				avail += pool[next].Amount
			}
			c := pool[last]
			curValue -= c.Amount
			curWaste -= c.Fee - c.LongTermFee
			curWeight -= c.Weight
			cur = cur[:len(cur)-1]
			continue
		}
		c := pool[next]
		avail -= c.Amount
		// Skip the inclusion branch when the previous coin is equivalent and was omitted:
		// that input set was already explored.
		if len(cur) == 0 || cur[len(cur)-1] == next-1 || c.Amount != pool[next-1].Amount || c.Fee != pool[next-1].Fee {
			cur = append(cur, next)
			curValue += c.Amount
			curWaste += c.Fee - c.LongTermFee
			curWeight += c.Weight
		}
	}
	if best == nil {
		return nil, false, weightExceeded
	}
	out := make([]int, len(best))
	for i, p := range best {
		out[i] = order[p]
	}
	return out, true, weightExceeded
}

type minAmountHeap struct {
	coins []Coin
	idx   []int
}

func (h *minAmountHeap) Len() int { return len(h.idx) }
func (h *minAmountHeap) Less(i, j int) bool {
	return h.coins[h.idx[i]].Amount < h.coins[h.idx[j]].Amount
}
func (h *minAmountHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *minAmountHeap) Push(x any)    { h.idx = append(h.idx, x.(int)) }
func (h *minAmountHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

// SingleRandomDraw picks coins in random order until their Amount reaches target; when the
// weight passes maxWeight the smallest picks are dropped (Core's SelectCoinsSRD). The caller
// adds ChangeLower and the change fee to target, as Core does. The order of the result is
// descending Amount.
func SingleRandomDraw(coins []Coin, target, maxWeight int64, r *rand.Rand) (selected []int, ok, weightExceeded bool) {
	perm := r.Perm(len(coins))
	h := &minAmountHeap{coins: coins}
	var value, weight int64
	for _, i := range perm {
		if coins[i].Amount <= 0 {
			continue
		}
		heap.Push(h, i)
		value += coins[i].Amount
		weight += coins[i].Weight
		for weight > maxWeight && h.Len() > 0 {
			weightExceeded = true
			j := heap.Pop(h).(int)
			value -= coins[j].Amount
			weight -= coins[j].Weight
		}
		if value >= target && h.Len() > 0 {
			out := slices.Clone(h.idx)
			slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(coins[b].Amount, coins[a].Amount) })
			return out, true, weightExceeded
		}
	}
	return nil, false, weightExceeded
}

// LargestFirstSelect takes coins by descending Amount until their total reaches target
// (BDK's LargestFirstCoinSelection), the last resort when the other algorithms fail.
func LargestFirstSelect(coins []Coin, target, maxWeight int64) (selected []int, ok, weightExceeded bool) {
	var value, weight int64
	for _, i := range sortDescending(coins) {
		c := coins[i]
		if c.Amount <= 0 {
			break
		}
		if weight+c.Weight > maxWeight {
			return nil, false, true
		}
		selected = append(selected, i)
		value += c.Amount
		weight += c.Weight
		if value >= target {
			return selected, true, false
		}
	}
	return nil, false, false
}

// Waste is Core's waste metric of a selection (SelectionResult::RecalculateWaste): for each
// input, its fee now minus its fee at the long-term rate; plus changeCost (creating the
// change now and spending it later) when a change output is made, otherwise the excess
// (selected Amount - target) given to the fee.
func Waste(inputs []Coin, target int64, withChange bool, changeCost int64) int64 {
	var w, amount int64
	for _, c := range inputs {
		w += c.Fee - c.LongTermFee
		amount += c.Amount
	}
	if withChange {
		return w + changeCost
	}
	return w + amount - target
}
